// The editors' look in the light and the dark page theme: CodeMirror's default highlighting and
// One Dark, with the few colours that fell short of WCAG AA contrast (4.5:1 on the editor's
// background and its active line, checked by tests/browser/test_accessibility.py) made darker,
// or lighter on dark.
import { HighlightStyle, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { EditorView } from "@codemirror/view";
import { oneDarkHighlightStyle, oneDarkTheme } from "@codemirror/theme-one-dark";

const LIGHT_COLOURS = { "#e40": "#c03400", "#f00": "#c22", "#085": "#06754a" };
const DARK_COLOURS = { "#e06c75": "#ef8891", "#c678dd": "#d58ce8", "#7d8799": "#9aa4b5" };

function recoloured(style, colours) {
  return HighlightStyle.define(style.specs.map((spec) => ({ ...spec, color: colours[spec.color] ?? spec.color })));
}

const lightTheme = EditorView.theme(
  {
    "&": { backgroundColor: "var(--pg-surface)", color: "var(--pg-text)" },
    ".cm-gutters": { backgroundColor: "var(--pg-surface-2)", color: "var(--pg-muted)", borderRight: "1px solid var(--pg-border)" },
    ".cm-activeLine": { backgroundColor: "rgba(37, 99, 235, 0.05)" },
    ".cm-activeLineGutter": { backgroundColor: "rgba(37, 99, 235, 0.1)" },
  },
  { dark: false },
);

const darkGutters = EditorView.theme({ ".cm-gutters": { color: DARK_COLOURS["#7d8799"] } }, { dark: true });

/** Both editors' shared layout and marks. */
export const sharedTheme = EditorView.theme({
  "&": { height: "100%", fontSize: "14px" },
  ".cm-scroller": { fontFamily: "var(--pg-mono)", lineHeight: "1.5" },
  ".pg-cm-error-line": { backgroundColor: "var(--pg-mark-line)", boxShadow: "inset 3px 0 0 var(--pg-danger)" },
  ".pg-cm-source-line": { backgroundColor: "var(--pg-source-line)", boxShadow: "inset 3px 0 0 var(--pg-accent)" },
  ".pg-cm-origins .cm-gutterElement": { color: "var(--pg-accent)", padding: "0 6px 0 4px", cursor: "default" },
});

let styles = null;

/** The theme and highlighting of the page theme ("light" or "dark"). */
export function themeFor(theme) {
  styles = styles || { light: recoloured(defaultHighlightStyle, LIGHT_COLOURS), dark: recoloured(oneDarkHighlightStyle, DARK_COLOURS) };
  // First is strongest: the gutter colour goes before One Dark's own.
  return theme === "dark" ? [darkGutters, oneDarkTheme, syntaxHighlighting(styles.dark)] : [lightTheme, syntaxHighlighting(styles.light)];
}
