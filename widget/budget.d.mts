/** Bytes of widget.js after gzip -9: the build fails above this. */
export declare const WIDGET_GZIP_BUDGET: number;
/** What the widget aims for: the build prints a note above this. */
export declare const WIDGET_GZIP_AIM: number;
