// The Autograph tab: for each converted function, the Python code Autograph generated,
// highlighted and read-only. The same function converted again with the same code shows once.
import { el, clear } from "../base/dom.js";
import { format, t } from "../base/i18n.js";
import { createCodeView } from "./editor.js";

export function createAutographTab(parent) {
  const intro = el("p", { class: "pg-muted pg-tab-intro", text: t("What Autograph turned each tf.function's Python into: if, for and while on tensors become tf.cond and tf.while_loop calls.") });
  const list = el("div", { class: "pg-autograph-list" });
  parent.append(intro, list);
  const seen = new Set();
  const views = [];

  return {
    add(event) {
      const key = `${event.function}\u0000${event.code}`;
      if (seen.has(key)) return;
      seen.add(key);
      const body = el("div", { class: "pg-code-view" });
      list.append(el("section", { class: "pg-autograph-item" }, el("h4", {}, el("code", { text: String(event.function || "?") })), body));
      views.push(createCodeView(body, String(event.code || ""), { label: format(t("Code generated for %(fn)s"), { fn: event.function }) }));
    },
    shown() {
      for (const view of views) view.view.requestMeasure();
    },
    reset() {
      for (const view of views) view.destroy();
      views.length = 0;
      seen.clear();
      clear(list);
    },
  };
}
