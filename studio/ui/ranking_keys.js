// Keyboard shortcuts of the ranking tab (the tab lists them). Runs as the js_on_load of a hidden
// gr.HTML, so the tab brings its own keys without touching the app's launch(). Choices are picked
// by position, not by label, so the keys work in every language.
if (!window.studioRankingKeys) {
  window.studioRankingKeys = true;
  const SLOTS = 6;
  let focused = 0;
  const $ = (selector) => document.querySelector(selector);
  const shown = (el) => !!el && el.offsetParent !== null;
  const slots = () => [...Array(SLOTS).keys()].filter((i) => shown($(`#ranking-slot-${i}`)));
  const thumbsMode = () => shown($("#ranking-thumb-0"));

  const style = document.createElement("style");
  style.textContent = ".ranking-slot.ranking-focused { outline: 2px solid var(--color-accent); outline-offset: 2px; }";
  document.head.appendChild(style);

  function mark(i) {
    focused = i;
    document.querySelectorAll(".ranking-slot").forEach((el) =>
      el.classList.toggle("ranking-focused", el.id === `ranking-slot-${i}`));
  }

  function move(step) {
    const visible = slots();
    if (!visible.length) return;
    const at = visible.indexOf(focused);
    const next = visible[at < 0 ? 0 : Math.min(visible.length - 1, Math.max(0, at + step))];
    mark(next);
    $(`#ranking-slot-${next}`).scrollIntoView({ block: "nearest" });
  }

  function choose(group, index) {
    const inputs = document.querySelectorAll(`#${group} input[type=radio]`);
    if (index >= inputs.length) return false;
    inputs[index].click();
    return true;
  }

  // A click anywhere in an answer's row makes it the focused answer.
  document.addEventListener("click", (event) => {
    const slot = event.target.closest && event.target.closest(".ranking-slot");
    if (slot) mark(Number(slot.id.split("-").pop()));
    if (event.target.closest && event.target.closest("#ranking-submit, #ranking-skip")) mark(0);
  }, true);

  document.addEventListener("keydown", (event) => {
    if (!shown($("#ranking-submit"))) return; // another tab is open
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      $("#ranking-submit").click();
      return;
    }
    const target = event.target;
    const typing = target && (target.tagName === "TEXTAREA" || target.isContentEditable ||
      (target.tagName === "INPUT" && !["radio", "checkbox", "button"].includes(target.type)));
    if (typing || event.ctrlKey || event.metaKey || event.altKey || !slots().length) return;
    const key = event.key.toLowerCase();
    const onRadio = target && target.type === "radio";
    if (key === "s") {
      $("#ranking-skip").click();
    } else if (key === "j" || (key === "arrowdown" && !onRadio)) {
      move(1);
    } else if (key === "k" || (key === "arrowup" && !onRadio)) {
      move(-1);
    } else if (thumbsMode() && (key === "u" || key === "+" || key === "d" || key === "-")) {
      if (choose(`ranking-thumb-${focused}`, key === "u" || key === "+" ? 0 : 1)) move(1);
    } else if (!thumbsMode() && /^[0-6]$/.test(key)) {
      if (choose(`ranking-rank-${focused}`, Number(key))) move(1); // 0 is the dash: unranked
    } else {
      return;
    }
    event.preventDefault();
  });
  mark(0);
}
