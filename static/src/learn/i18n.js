// Picks the active language out of the content API's {"en": ..., "ja": ...} texts; interface
// strings go through the shared helpers in base/i18n.js.
import { currentLanguage, format, t, tn } from "../base/i18n.js";

export { currentLanguage, format, t, tn };

/** The text of a {"en", "ja"} object in the active language, falling back to English. */
export function pick(texts, lang = currentLanguage()) {
  if (texts == null) return "";
  if (typeof texts === "string") return texts;
  return texts[lang] || texts.en || Object.values(texts)[0] || "";
}
