// The error panel: the exception, then the user's own traceback frames, each with a link that
// jumps to and marks its line in the editor. Built from text nodes only.
import { el, clear } from "../base/dom.js";
import { format, t } from "../base/i18n.js";

function frameRow(frame, onLine) {
  const line = Number(frame.line);
  const link = Number.isInteger(line) && line > 0
    ? el("button", {
        type: "button",
        class: "pg-line-link",
        "data-line": String(line),
        onclick: () => onLine(line),
        "aria-label": format(t("Go to line %(line)s"), { line }),
        text: format(t("line %(line)s"), { line }),
      })
    : el("span", { class: "pg-line-link pg-line-unknown", text: "?" });
  return el(
    "li",
    { class: "pg-frame" },
    link,
    frame.name ? el("span", { class: "pg-frame-name" }, " ", t("in"), " ", el("code", { text: frame.name })) : null,
    frame.text ? el("code", { class: "pg-frame-text", text: frame.text }) : null,
  );
}

/** Renders error events into `slot`; onLine(n) is called when a line link is used. */
export function createErrorPanel(slot, { onLine }) {
  return {
    show(event) {
      clear(slot);
      const frames = Array.isArray(event.traceback) ? event.traceback : [];
      const line = Number(event.line);
      const heading = el(
        "p",
        { class: "pg-error-head" },
        el("strong", { class: "pg-error-type", text: event.exc_type || t("Error") }),
        event.message ? ": " : "",
      );
      const panel = el(
        "section",
        { class: "pg-error", role: "alert", "aria-label": t("Error") },
        heading,
        event.message ? el("pre", { class: "pg-error-message", text: event.message }) : null,
        Number.isInteger(line) && line > 0 && !frames.length
          ? el("p", {}, frameRow({ line }, onLine))
          : null,
        frames.length
          ? el("div", {}, el("p", { class: "pg-error-sub", text: t("Traceback (your code, most recent call last):") }), el("ol", { class: "pg-traceback" }, frames.map((f) => frameRow(f, onLine))))
          : null,
      );
      slot.append(panel);
    },
    reset() {
      clear(slot);
    },
  };
}
