// The host page may have polluted Object.prototype or Array.prototype (say, a
// query-string parser that merged `?__proto__[onfocus]=...`): every plain
// object and array then inherits the host's enumerable properties. The widget
// reads own properties only. Option objects it hands to the platform (fetch,
// Intl, attachShadow), the data-* settings and the objects it reads from the
// worker's JSON have no prototype, so a property they lack reads as undefined,
// never as the host's. (Arrays keep theirs; the widget uses no element past their end.)

/** The same object, with no prototype to inherit from. */
export const withoutPrototype = <T extends object>(object: T): T => Object.setPrototypeOf(object, null);
