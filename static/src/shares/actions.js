// The share page's own buttons: "Open in editor" (the code into a fresh /play session) and
// "Copy link". Downloads are plain links to the export API and need no script.
import { CONTRACT } from "../base/contract.js";
import { t } from "../base/i18n.js";

// /play starts from what its workspace saved under this key (static/src/entries/play.js), so
// storing the shared code there opens it in the editor, still runnable and editable.
export const PLAY_STORAGE_KEY = "pg.code.play";

/** The /play address with the shared run's mode and device preselected. */
export function editorUrl(record, base = "/play") {
  const query = new URLSearchParams();
  // The defaults stay out of the address, as /play starts with them anyway.
  if (record.mode !== CONTRACT.defaultMode && CONTRACT.modes.includes(record.mode)) query.set("mode", record.mode);
  if (CONTRACT.deviceClasses.includes(record.device)) query.set("device", record.device);
  const text = query.toString();
  return text ? `${base}?${text}` : base;
}

// /play focuses its editor once when this is set (static/src/entries/play.js).
export const FOCUS_EDITOR_KEY = "pg.play.focusEditor";

/** Puts the code where /play reads it; false when storage is unavailable. */
export function storeForEditor(code) {
  try {
    localStorage.setItem(PLAY_STORAGE_KEY, String(code ?? ""));
    sessionStorage.setItem(FOCUS_EDITOR_KEY, "1");
    return true;
  } catch {
    return false;
  }
}

export function wireOpenInEditor(link, record) {
  if (!link) return;
  link.href = editorUrl(record, link.getAttribute("href") || "/play");
  link.addEventListener("click", (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      // A new tab or window still gets the code: the storage is shared by the origin.
      storeForEditor(record.code);
      return;
    }
    event.preventDefault();
    storeForEditor(record.code);
    window.location.assign(link.href);
  });
}

function copyBySelection(input) {
  if (!input) return false;
  input.focus();
  input.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

/** "Copy link": the clipboard API where allowed, else the selected link field. */
export function wireCopyLink(button, { url, input, out }) {
  if (!button) return;
  button.hidden = false;
  const say = (text) => {
    if (out) out.textContent = text;
  };
  button.addEventListener("click", async () => {
    let copied = false;
    try {
      if (navigator.clipboard?.writeText) {
        await navigator.clipboard.writeText(url);
        copied = true;
      }
    } catch {
      copied = false;
    }
    // The fallback leaves the link selected, so Ctrl+C works even when copying was refused.
    if (!copied) copied = copyBySelection(input);
    say(copied ? t("Link copied") : t("Select the link and copy it (Ctrl+C)."));
  });
}
