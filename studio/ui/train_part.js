// A component of the Train tab's live view (a chart, the log): js_on_load, after a line that
// names it (`const part = "loss-plot";`). It takes its HTML from the progress poller's reports
// (train_live.js), and only when that changed, so an unchanged chart costs nothing.
window.studioLiveParts = window.studioLiveParts || {};
document.removeEventListener("studio-train-live", window.studioLiveParts[part]);  // mounted again
window.studioLiveParts[part] = (event) => {
  const html = event.detail[part];
  if (typeof html === "string" && html !== props.value) props.value = html;
};
document.addEventListener("studio-train-live", window.studioLiveParts[part]);
