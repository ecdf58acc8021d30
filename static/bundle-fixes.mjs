// Fixes of npm packages made while bundling, one plugin each, each with its reason; build.mjs
// uses them and tests/browser/test_editor.py fails when one no longer holds.

import { readFile } from "node:fs/promises";

// @replit/codemirror-emacs 6.1.0 marks the calls that register its key bindings and commands
// /*@__PURE__*/, so a minifying bundler drops them and not one Emacs key works: those two
// annotations are taken out of that one file.
export const emacsBindings = {
  name: "emacs-bindings",
  setup(build) {
    build.onLoad({ filter: /[\\/]@replit[\\/]codemirror-emacs[\\/]dist[\\/]index\.js$/ }, async (args) => ({
      contents: (await readFile(args.path, "utf8")).replaceAll("/*@__PURE__*/EmacsHandler.", "EmacsHandler."),
      loader: "js",
    }));
  },
};
