// Applies the stored or OS theme before the first paint: base.html loads this as a classic,
// blocking script in <head> (the page's CSP allows no inline script). base/theme.js takes over
// once the page's modules run; the two read the same localStorage key.
(() => {
  let stored = null;
  try {
    stored = localStorage.getItem("pg.theme");
  } catch {
    // Storage may be off (private mode): follow the OS.
  }
  const dark = window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches;
  const theme = stored === "dark" || stored === "light" ? stored : dark ? "dark" : "light";
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
})();
