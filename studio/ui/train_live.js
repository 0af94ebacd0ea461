// The Train tab's progress bar, kept current by a light poller: js_on_load of #train-progress.
//
// Why not a Gradio timer: each Gradio event makes the browser refresh the loading state of every
// component the page's events have touched, about 150 ms of CPU per poll on this page, which the
// training shares on a small machine (benchmarks/ui_throughput.py). A server function is one
// small request. The curves still come through Gradio, less often (tab_train.CHART_SECONDS).
// When the run's state changes (queued, running, ended), the tab's Refresh button is pressed once:
// the state line, curves and runs table follow at once.
const POLL_MS = 2000;
let busy = false;
clearInterval(element.studioLivePoller);  // mounted again: one poller per bar
element.studioLivePoller = setInterval(async () => {
  const bar = element.querySelector(".studio-progress");
  // Nothing to follow, a request still out, or the tab not shown (it catches up when shown).
  if (busy || !bar || bar.dataset.live !== "1" || document.hidden || element.offsetParent === null) return;
  busy = true;
  try {
    const fresh = await server.live_progress({run: bar.dataset.run, lang: bar.dataset.lang});
    if (fresh && fresh.html && element.querySelector(".studio-progress") === bar) {
      props.value = fresh.html;
      if (fresh.state !== bar.dataset.state) document.querySelector("#train-runs-refresh")?.click();
    }
  } catch (error) {
    // The server restarting or a dropped connection: the next tick tries again.
  } finally {
    busy = false;
  }
}, POLL_MS);
