// The draggable divider between the editor and the result tabs. The share of the width the
// editor takes is kept in localStorage; arrow keys move the divider too.
const KEY = "pg.split";
const MIN = 20;
const MAX = 80;

function load() {
  const value = Number(localStorage.getItem(KEY));
  return Number.isFinite(value) && value >= MIN && value <= MAX ? value : 50;
}

function saved() {
  try {
    return load();
  } catch {
    return 50;
  }
}

function save(share) {
  try {
    localStorage.setItem(KEY, String(Math.round(share)));
  } catch {
    // No storage: the split still moves for this page.
  }
}

function apply(split, value, keep) {
  split.share = Math.min(MAX, Math.max(MIN, value));
  split.root.style.setProperty("--pg-split", `${split.share}%`);
  split.handle.setAttribute("aria-valuenow", String(Math.round(split.share)));
  if (keep) save(split.share);
  split.root.dispatchEvent(new CustomEvent("pg:resized"));
}

// The divider follows the pointer; the share is kept once the pointer lets go.
function drag(split, event) {
  const { root, handle } = split;
  event.preventDefault();
  handle.setPointerCapture(event.pointerId);
  const box = root.getBoundingClientRect();
  const move = (e) => apply(split, ((e.clientX - box.left) / box.width) * 100, false);
  const up = () => {
    handle.removeEventListener("pointermove", move);
    handle.removeEventListener("pointerup", up);
    apply(split, split.share, true);
  };
  handle.addEventListener("pointermove", move);
  handle.addEventListener("pointerup", up);
}

function moveByKey(split, event) {
  const steps = { ArrowLeft: -5, ArrowRight: 5, Home: MIN - split.share, End: MAX - split.share };
  if (!(event.key in steps)) return;
  event.preventDefault();
  apply(split, split.share + steps[event.key], true);
}

export function wireSplit(root, handle) {
  const split = { root, handle, share: saved() };
  handle.setAttribute("aria-valuemin", String(MIN));
  handle.setAttribute("aria-valuemax", String(MAX));
  apply(split, split.share, false);
  handle.addEventListener("pointerdown", (event) => drag(split, event));
  handle.addEventListener("keydown", (event) => moveByKey(split, event));
}
