// The Autograph tab: for each converted function, the Python code Autograph generated,
// highlighted and read-only. The same function converted again with the same code shows once.
// A gutter gives the line of the learner's code each generated line came from: the cursor on a
// generated line marks that line in the editor (onSource), and the editor's line marks the
// generated lines that came from it (highlightSource).
import { el, clear } from "../base/dom.js";
import { format, t } from "../base/i18n.js";
import { createCodeView } from "./editor.js";

function generatedFrom(origins, line) {
  const lines = [];
  origins.forEach((origin, index) => {
    if (origin === line) lines.push(index + 1);
  });
  return lines;
}

function highlight(views, line) {
  for (const { view, origins } of views) {
    if (origins) view.markLines(Number.isInteger(line) ? generatedFrom(origins, line) : []);
  }
}

/** The tab in `parent`; onSource(lines) gets the source line of the generated line chosen. */
export function createAutographTab(parent, { onSource = () => {} } = {}) {
  const intro = el("p", { class: "pg-muted pg-tab-intro", text: t("What Autograph turned each tf.function's Python into: if, for and while on tensors become tf.cond and tf.while_loop calls. The numbers after the line numbers are the lines of your code each line came from.") });
  const list = el("div", { class: "pg-autograph-list" });
  parent.append(intro, list);
  const seen = new Set();
  const views = [];

  const chosen = (origins, line) => {
    const origin = origins ? origins[line - 1] : null;
    if (!Number.isInteger(origin)) return;
    onSource([origin]);
    highlight(views, origin);
  };

  return {
    add(event) {
      const key = `${event.function}\u0000${event.code}`;
      if (seen.has(key)) return;
      seen.add(key);
      const origins = Array.isArray(event.lines) ? event.lines : null;
      const body = el("div", { class: "pg-code-view" });
      list.append(el("section", { class: "pg-autograph-item", "data-function": String(event.function || "") }, el("h4", {}, el("code", { text: String(event.function || "?") })), body));
      const view = createCodeView(body, String(event.code || ""), {
        label: format(t("Code generated for %(fn)s"), { fn: event.function }),
        origins,
        onCursor: (line) => chosen(origins, line),
      });
      views.push({ view, origins });
    },
    /** Marks the generated lines that came from line `line` of the snippet (null: none). */
    highlightSource: (line) => highlight(views, line),
    shown() {
      for (const { view } of views) view.view.requestMeasure();
    },
    reset() {
      for (const { view } of views) view.destroy();
      views.length = 0;
      seen.clear();
      clear(list);
    },
  };
}
