// The size budget of widget.js, in one place: the build (scripts/build.mjs)
// fails above it, test/browser/bundle.test.ts and `npm run bench` (bench/run.ts)
// check it. Plain JavaScript so the build runs on any Node (Workers Builds
// included); its types are in budget.d.mts.

/** Bytes of widget.js after gzip -9: the build fails above this. */
export const WIDGET_GZIP_BUDGET = 4096;

/** What the widget aims for: the build prints a note above this. */
export const WIDGET_GZIP_AIM = 3000;
