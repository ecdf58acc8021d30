// The bar over the editor: Format (ruff; also Shift+Alt+F), the keymap (default, Vim, Emacs) and
// the font size, both remembered, and a status line saying what the last format did.
import { el } from "../base/dom.js";
import { format, t } from "../base/i18n.js";
import { FONT_SIZES, keymapChoices, storeFontSize, storeKeymap, storedFontSize, storedKeymap } from "./editor-keys.js";

export const FORMAT_SHORTCUT = "Shift+Alt+F";

function select(name, label, options, value) {
  const node = el(
    "select",
    { class: "pg-select", name, "data-editor-setting": name },
    options.map(([v, text]) => el("option", { value: String(v), selected: String(v) === String(value), text })),
  );
  return { node, field: el("label", { class: "pg-field" }, el("span", { class: "pg-field-label", text: label }), node) };
}

/** The bar's elements; `editor` is createEditor()'s handle. */
function buildBar(editor) {
  const status = el("span", { class: "pg-editor-status", role: "status", "aria-live": "polite" });
  const formatButton = el("button", {
    type: "button",
    class: "pg-btn pg-btn-small",
    "data-action": "format",
    title: format(t("Format the code (%(keys)s)"), { keys: FORMAT_SHORTCUT }),
    text: t("Format"),
  });
  const keys = select("keymap", t("Keys"), keymapChoices(), storedKeymap());
  const size = select("font-size", t("Font size"), FONT_SIZES.map((px) => [px, `${px} px`]), storedFontSize());
  const say = ({ ok, message }) => {
    status.dataset.ok = String(ok);
    status.textContent = message;
  };
  formatButton.addEventListener("click", async () => say(await editor.format()));
  keys.node.addEventListener("change", () => {
    storeKeymap(keys.node.value);
    editor.setKeymap(keys.node.value);
  });
  size.node.addEventListener("change", () => {
    storeFontSize(Number(size.node.value));
    editor.setFontSize(Number(size.node.value));
  });
  return { root: el("div", { class: "pg-editor-bar", role: "group", "aria-label": t("Editor settings") }, formatButton, keys.field, size.field, status), say };
}

/** Puts the bar before `host` (the editor's element) inside `parent`; returns {say(result)}. */
export function createEditorBar(parent, host, editor) {
  const bar = buildBar(editor);
  parent.insertBefore(bar.root, host);
  return { say: bar.say, element: bar.root };
}
