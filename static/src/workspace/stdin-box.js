// The Input box under the editor: the text a run's standard input reads (input(), sys.stdin),
// then its end. Collapsed until opened (open when it holds text); the workspace keeps its text
// with the code.
import { el } from "../base/dom.js";
import { format, t } from "../base/i18n.js";
import { CONTRACT } from "../base/contract.js";

function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

/**
 * Mounts the box into `parent`. options: value (the text to start with), readOnly, onChange(text).
 * Returns {value(), setValue(text), element}.
 */
export function createStdinBox(parent, { value = "", readOnly = false, onChange = () => {} } = {}) {
  const limit = CONTRACT.limits.stdin_bytes;
  const text = el("textarea", {
    class: "pg-stdin-text",
    name: "stdin",
    rows: 4,
    spellcheck: "false",
    readonly: readOnly,
    "aria-label": t("Input: what input() and sys.stdin read"),
    placeholder: t("One line for each input() call"),
  });
  text.value = value;
  const count = el("span", { class: "pg-stdin-count" });
  const box = el(
    "details",
    { class: "pg-stdin", open: Boolean(value) },
    el("summary", { class: "pg-stdin-summary" }, el("span", { text: t("Input") }), count),
    text,
  );
  const show = () => {
    const bytes = utf8Length(text.value);
    const used = bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
    count.textContent = text.value ? format(t("%(used)s of %(limit)s"), { used, limit: `${limit / 1024} KiB` }) : "";
    box.classList.toggle("pg-stdin-over", bytes > limit);
  };
  text.addEventListener("input", () => {
    show();
    onChange(text.value);
  });
  show();
  parent.append(box);
  return {
    element: box,
    value: () => text.value,
    setValue(next) {
      text.value = next ?? "";
      if (text.value) box.open = true;
      show();
    },
  };
}
