// The draggable divider between the editor and the result tabs. The share of the width the
// editor takes is kept in localStorage; arrow keys move the divider too.
const KEY = "pg.split";
const MIN = 20;
const MAX = 80;

function load() {
  const value = Number(localStorage.getItem(KEY));
  return Number.isFinite(value) && value >= MIN && value <= MAX ? value : 50;
}

export function wireSplit(root, handle) {
  let share = 50;
  try {
    share = load();
  } catch {
    share = 50;
  }
  const apply = (value, save) => {
    share = Math.min(MAX, Math.max(MIN, value));
    root.style.setProperty("--pg-split", `${share}%`);
    handle.setAttribute("aria-valuenow", String(Math.round(share)));
    if (save) {
      try {
        localStorage.setItem(KEY, String(Math.round(share)));
      } catch {
        // No storage: the split still moves for this page.
      }
    }
    root.dispatchEvent(new CustomEvent("pg:resized"));
  };
  handle.setAttribute("aria-valuemin", String(MIN));
  handle.setAttribute("aria-valuemax", String(MAX));
  apply(share, false);

  handle.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    const box = root.getBoundingClientRect();
    const move = (e) => apply(((e.clientX - box.left) / box.width) * 100, false);
    const up = () => {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", up);
      apply(share, true);
    };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
  });
  handle.addEventListener("keydown", (event) => {
    const steps = { ArrowLeft: -5, ArrowRight: 5, Home: MIN - share, End: MAX - share };
    if (!(event.key in steps)) return;
    event.preventDefault();
    apply(share + steps[event.key], true);
  });
}
