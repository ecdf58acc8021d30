// The editor's calls to the web side's ruff (playground/editing/): lint as you type, marked in a
// gutter (syntax errors, undefined names, unused imports; never style), and Format. Neither blocks
// Run: a lint that fails or is refused leaves no marks, a format that fails says why.
import { linter, lintGutter } from "@codemirror/lint";
import { EditorView } from "@codemirror/view";
import { postJSON } from "../../base/api.js";
import { format, t } from "../../base/i18n.js";

const LINT_DELAY = 600; // ms after the last keystroke

// Ruff counts columns in characters from 1; the editor counts UTF-16 units from 0.
function offset(doc, lineNumber, column) {
  const line = doc.line(Math.min(Math.max(lineNumber, 1), doc.lines));
  let units = 0;
  let chars = 1;
  for (const char of line.text) {
    if (chars >= column) break;
    units += char.length;
    chars += 1;
  }
  return line.from + units;
}

function toDiagnostic(doc, found) {
  const from = offset(doc, found.line, found.column);
  const to = Math.max(from, offset(doc, found.end_line, found.end_column));
  const rule = found.rule === "invalid-syntax" ? t("syntax error") : found.rule;
  return { from, to, severity: found.severity === "warning" ? "warning" : "error", source: "ruff", message: `${found.message} (${rule})` };
}

async function lintSource(view) {
  const doc = view.state.doc;
  try {
    const answer = await postJSON("/api/lint", { code: doc.toString() });
    return (answer.diagnostics || []).map((found) => toDiagnostic(doc, found));
  } catch {
    return [];
  }
}

// @codemirror/lint draws its underlines and gutter icons as data: SVG images, which the pages'
// Content-Security-Policy (img-src 'self') refuses: text decoration and characters instead.
const marks = EditorView.theme({
  ".cm-lintRange": { backgroundImage: "none", textDecorationLine: "underline", textDecorationStyle: "wavy", textDecorationSkipInk: "none", textUnderlineOffset: "3px" },
  ".cm-lintRange-error": { textDecorationColor: "var(--pg-danger)" },
  ".cm-lintRange-warning": { textDecorationColor: "var(--pg-warn)" },
  ".cm-lintRange-info, .cm-lintRange-hint": { textDecorationColor: "var(--pg-link)" },
  ".cm-lint-marker": { content: "normal", width: "1em", height: "1em", lineHeight: "1", textAlign: "center", fontSize: "0.8em" },
  ".cm-lint-marker-error::before": { content: '"●"', color: "var(--pg-danger)" },
  ".cm-lint-marker-warning::before": { content: '"▲"', color: "var(--pg-warn)" },
  ".cm-lint-marker-info::before": { content: '"■"', color: "var(--pg-link)" },
});

/** Lint as you type, with the gutter that shows it. */
export const lintAsYouType = [linter(lintSource, { delay: LINT_DELAY }), lintGutter(), marks];

// The smallest change from one text to the other: cursor and undo history keep their place.
function minimalChange(before, after) {
  let start = 0;
  const shortest = Math.min(before.length, after.length);
  while (start < shortest && before[start] === after[start]) start += 1;
  let end = 0;
  while (end < shortest - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end += 1;
  return { from: start, to: before.length - end, insert: after.slice(start, after.length - end) };
}

/**
 * Formats the editor's code with ruff; resolves with a sentence saying what happened
 * ({ok, message}). The code is left as it was when it cannot be formatted or changed meanwhile.
 */
export async function formatView(view) {
  const code = view.state.doc.toString();
  let answer;
  try {
    answer = await postJSON("/api/format", { code });
  } catch (error) {
    return { ok: false, message: format(t("Could not format: %(reason)s"), { reason: error.message }) };
  }
  if (answer.problem) {
    return { ok: false, message: format(t("Could not format: line %(line)s: %(message)s"), { line: answer.problem.line, message: answer.problem.message }) };
  }
  if (view.state.doc.toString() !== code) return { ok: false, message: t("The code changed while it was being formatted: format it again.") };
  if (!answer.changed) return { ok: true, message: t("Already formatted") };
  view.dispatch({ changes: minimalChange(code, answer.code), userEvent: "input.format", scrollIntoView: true });
  return { ok: true, message: t("Formatted") };
}
