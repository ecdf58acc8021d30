// The editor's keymap (default, Vim or Emacs) and font size, as chosen in the editor bar and
// remembered in localStorage for every editor of the site. Vim and Emacs load when first chosen.
import { t } from "../base/i18n.js";

const KEYMAP_KEY = "pg.editor.keymap";
const FONT_KEY = "pg.editor.fontSize";
export const FONT_SIZES = [12, 13, 14, 16, 18, 20, 24];
export const DEFAULT_FONT_SIZE = 14;

/** [value, label] of each keymap, for the menu. */
export function keymapChoices() {
  return [
    ["default", t("Default keys")],
    ["vim", "Vim"],
    ["emacs", "Emacs"],
  ];
}

const LOADERS = {
  vim: () => import("@replit/codemirror-vim").then((module) => module.vim()),
  emacs: () => import("@replit/codemirror-emacs").then((module) => module.emacs()),
};

/** Resolves with the CodeMirror extension of a keymap ([] for the default). */
export async function keymapExtension(name) {
  return LOADERS[name] ? LOADERS[name]() : [];
}

function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, String(value));
  } catch {
    // Storage off: the choice lasts until the page is left.
  }
}

export function storedKeymap() {
  const value = read(KEYMAP_KEY);
  return value in LOADERS ? value : "default";
}

export function storeKeymap(name) {
  write(KEYMAP_KEY, name in LOADERS ? name : "default");
}

export function storedFontSize() {
  const value = Number(read(FONT_KEY));
  return FONT_SIZES.includes(value) ? value : DEFAULT_FONT_SIZE;
}

export function storeFontSize(size) {
  if (FONT_SIZES.includes(size)) write(FONT_KEY, size);
}
