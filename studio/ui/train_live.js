// The Train tab's live view, kept current by a light poller: js_on_load of #train-progress.
//
// Why not a Gradio timer: each Gradio event makes the browser refresh the loading state of every
// component the page's events have touched, about 150 ms of CPU per poll on this page, which the
// training shares on a small machine (benchmarks/ui_throughput.py). A server function is one
// small request. Its report carries the progress bar (this component), and "parts" for the
// components train_part.js runs in (log, and the charts when new events have come), handed over
// as a "studio-train-live" event on the document.
// When the run's state changes (queued, running, ended), the tab's Refresh button is pressed once:
// the state line and the runs table follow at once.
const POLL_MS = 2000;
let busy = false;
let drawn = {key: null, events: -1};  // the run (and language) whose charts were last handed over
clearInterval(element.studioLivePoller);  // mounted again: one poller per bar
element.studioLivePoller = setInterval(async () => {
  const bar = element.querySelector(".studio-progress");
  // Nothing to follow, a request still out, or the tab not shown (it catches up when shown).
  if (busy || !bar || bar.dataset.live !== "1" || document.hidden || element.offsetParent === null) return;
  busy = true;
  try {
    const key = bar.dataset.run + "/" + bar.dataset.lang;
    const events = drawn.key === key ? drawn.events : -1;
    const fresh = await server.live_progress({run: bar.dataset.run, lang: bar.dataset.lang, events});
    if (fresh && fresh.html && element.querySelector(".studio-progress") === bar) {
      if (fresh.html !== props.value) props.value = fresh.html;
      if (fresh.parts && "loss-plot" in fresh.parts) drawn = {key, events: fresh.events};
      document.dispatchEvent(new CustomEvent("studio-train-live", {detail: fresh.parts || {}}));
      if (fresh.state !== bar.dataset.state) document.querySelector("#train-runs-refresh")?.click();
    }
  } catch (error) {
    // The server restarting or a dropped connection: the next tick tries again.
  } finally {
    busy = false;
  }
}, POLL_MS);
