// A frame budget for the page: an animation-frame loop that has run for over a second goes on at
// four frames a second instead of sixty. The server puts this first into the page's <head>
// (studio/ui/page_head.py), so it wraps requestAnimationFrame before Gradio's scripts keep a copy.
//
// Why: Gradio 6.31's page loader starts a status-tracker timer, a requestAnimationFrame loop, and
// is removed while that timer still runs, so every open studio page redraws sixty times a second
// for ever. On a small machine that is CPU the training next to it needs (benchmarks/
// ui_throughput.py): an idle page took 7% of a core, 1% with this budget. Loops that end within a
// second (a chart's transition, each swing of Gradio's loading spinner) are untouched; a long one,
// such as the seconds counter of a slow request, only updates less often.
(() => {
  if (window.studioFrameBudget) return;
  window.studioFrameBudget = true;
  const LONG_MS = 1000;   // a loop older than this is slowed down
  const SLOW_MS = 250;    // to one frame per this many milliseconds
  const nativeRequest = window.requestAnimationFrame.bind(window);
  const nativeCancel = window.cancelAnimationFrame.bind(window);
  const delayed = new Map();  // our id of a slowed frame -> {timer, frame}
  let nextId = 1 << 30;       // far above the browser's own ids
  let loopStart = null;       // while a frame callback runs: when the loop it belongs to began

  window.requestAnimationFrame = (callback) => {
    // A request made from inside a frame callback continues that callback's loop.
    const started = loopStart ?? performance.now();
    const run = (time) => {
      const outer = loopStart;
      loopStart = started;
      try {
        callback(time);
      } finally {
        loopStart = outer;
      }
    };
    if (performance.now() - started < LONG_MS) return nativeRequest(run);
    const id = ++nextId;
    const entry = {frame: null};
    entry.timer = setTimeout(() => {
      entry.frame = nativeRequest((time) => {
        delayed.delete(id);
        run(time);
      });
    }, SLOW_MS);
    delayed.set(id, entry);
    return id;
  };

  window.cancelAnimationFrame = (id) => {
    const entry = delayed.get(id);
    if (!entry) return nativeCancel(id);
    delayed.delete(id);
    clearTimeout(entry.timer);
    if (entry.frame !== null) nativeCancel(entry.frame);
  };
})();
