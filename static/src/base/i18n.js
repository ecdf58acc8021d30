// Interface strings through Django's JavaScript catalogue (/jsi18n/, loaded before the page's
// module scripts by base.html); each helper falls back to English when the catalogue is absent.

/** The active Django language ("en", "ja"), as base.html wrote it on <html lang>. */
export function currentLanguage() {
  return (document.documentElement.lang || "en").toLowerCase().split("-")[0];
}

/** Translates an interface string (the msgid is the English text). */
export function t(text) {
  return typeof window.gettext === "function" ? window.gettext(text) : text;
}

/** Translates a string with a count, choosing the plural form. */
export function tn(singular, plural, count) {
  if (typeof window.ngettext === "function") return window.ngettext(singular, plural, count);
  return count === 1 ? singular : plural;
}

/** Fills %(name)s placeholders, like Django's interpolate(fmt, obj, true). */
export function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Formats a number for the active language. */
export function number(value, options = {}) {
  return new Intl.NumberFormat(currentLanguage(), options).format(value);
}
