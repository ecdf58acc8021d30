// What every page built on templates/base.html needs: the theme toggle and the language switch
// in the header. Importing this module sets them up (base.html loads it in the "base" bundle).
import { currentTheme, initTheme, onThemeChange, toggleTheme } from "./theme.js";
import { t } from "./i18n.js";

function wireThemeToggle() {
  const button = document.querySelector("[data-pg-theme-toggle]");
  if (!button) return;
  const label = () => {
    const dark = currentTheme() === "dark";
    button.setAttribute("aria-pressed", String(dark));
    button.title = dark ? t("Switch to the light theme") : t("Switch to the dark theme");
  };
  button.hidden = false;
  button.addEventListener("click", toggleTheme);
  onThemeChange(label);
  label();
}

function wireLanguageSwitch() {
  const form = document.querySelector("[data-pg-language]");
  if (!form) return;
  const select = form.querySelector("select");
  const submit = form.querySelector("button[type=submit]");
  if (submit) submit.classList.add("pg-visually-hidden");
  select?.addEventListener("change", () => form.requestSubmit());
}

let ready = false;
/** Idempotent: the header controls are wired once however many modules call it. */
export function initPage() {
  if (ready) return;
  ready = true;
  initTheme();
  wireThemeToggle();
  wireLanguageSwitch();
}

initPage();
