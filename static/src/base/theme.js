// Light and dark themes: follow the OS until the learner picks one with the toggle. The choice
// is kept in localStorage; base/theme-init.js (loaded by base.html) applies it before the first
// paint.

const KEY = "pg.theme";
const EVENT = "pg:themechange";
const query = window.matchMedia("(prefers-color-scheme: dark)");

function stored() {
  try {
    const value = localStorage.getItem(KEY);
    return value === "dark" || value === "light" ? value : null;
  } catch {
    return null;
  }
}

function osTheme() {
  return query.matches ? "dark" : "light";
}

/** "light" or "dark": what the page shows now. */
export function currentTheme() {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

function apply(theme) {
  if (document.documentElement.dataset.theme === theme) return;
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
  document.documentElement.dispatchEvent(new CustomEvent(EVENT, { detail: { theme } }));
}

/** Shows `theme`; choosing what the OS prefers drops the stored choice so the OS leads again. */
export function setTheme(theme) {
  try {
    if (theme === osTheme()) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // Storage may be off (private mode); the theme still applies for this page.
  }
  apply(theme);
}

export function toggleTheme() {
  setTheme(currentTheme() === "dark" ? "light" : "dark");
}

/** Calls fn(theme) on every change; returns a function that stops listening. */
export function onThemeChange(fn) {
  const listener = (event) => fn(event.detail.theme);
  document.documentElement.addEventListener(EVENT, listener);
  return () => document.documentElement.removeEventListener(EVENT, listener);
}

/** Reads a CSS custom property of the current theme (for canvas-drawn views). */
export function themeColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

let started = false;
export function initTheme() {
  if (started) return;
  started = true;
  apply(stored() || osTheme());
  query.addEventListener("change", () => {
    if (!stored()) apply(osTheme());
  });
}
