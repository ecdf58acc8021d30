// The code editor (CodeMirror 6 with Python) and the read-only code viewer used for Autograph
// output; both follow the page theme. The editor can mark a line (an error) and jump to it.
import { basicSetup } from "codemirror";
import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { defaultHighlightStyle, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, Prec, StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, keymap, lineNumbers } from "@codemirror/view";
import { oneDark } from "@codemirror/theme-one-dark";
import { currentTheme, onThemeChange } from "../base/theme.js";
import { t } from "../base/i18n.js";
import { el, uid } from "../base/dom.js";

const lightTheme = EditorView.theme(
  {
    "&": { backgroundColor: "var(--pg-surface)", color: "var(--pg-text)" },
    ".cm-gutters": { backgroundColor: "var(--pg-surface-2)", color: "var(--pg-muted)", borderRight: "1px solid var(--pg-border)" },
    ".cm-activeLine": { backgroundColor: "rgba(37, 99, 235, 0.05)" },
    ".cm-activeLineGutter": { backgroundColor: "rgba(37, 99, 235, 0.1)" },
  },
  { dark: false },
);

const sharedTheme = EditorView.theme({
  "&": { height: "100%", fontSize: "14px" },
  ".cm-scroller": { fontFamily: "var(--pg-mono)", lineHeight: "1.5" },
  ".pg-cm-error-line": { backgroundColor: "var(--pg-mark-line)", boxShadow: "inset 3px 0 0 var(--pg-danger)" },
});

function themeFor(theme) {
  return theme === "dark" ? oneDark : [lightTheme, syntaxHighlighting(defaultHighlightStyle)];
}

// Error marks: one marked line at a time, kept in place while the text around it is edited.
const setMark = StateEffect.define();
const markField = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    let next = marks.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setMark)) continue;
      if (effect.value == null) next = Decoration.none;
      else {
        const line = tr.state.doc.line(effect.value);
        next = Decoration.set([Decoration.line({ class: "pg-cm-error-line", attributes: { "data-pg-error-line": String(effect.value) } }).range(line.from)]);
      }
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

function themed(view, compartment) {
  return onThemeChange((theme) => view.dispatch({ effects: compartment.reconfigure(themeFor(theme)) }));
}

// The editor's behaviour: Ctrl/Cmd+Enter runs first, then the usual setup, Python, 4-space
// indents, the error-line mark and the theme; onChange(code) after every edit.
function editorExtensions({ theme, readOnly, onRun, onChange, label, hintId }) {
  return [
    Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => (onRun(), true), preventDefault: true }])),
    basicSetup,
    keymap.of([indentWithTab]),
    python(),
    EditorState.tabSize.of(4),
    indentUnit.of("    "),
    markField,
    sharedTheme,
    theme.of(themeFor(currentTheme())),
    EditorState.readOnly.of(readOnly),
    EditorView.contentAttributes.of({ "aria-label": label, "aria-describedby": hintId }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange(update.state.doc.toString());
    }),
  ];
}

function jumpTo(view, n) {
  const line = view.state.doc.line(n);
  // The cursor goes to the line's start: a selection to its end would scroll a long line
  // sideways when the editor takes focus.
  view.dispatch({
    selection: { anchor: line.from },
    effects: [setMark.of(n), EditorView.scrollIntoView(line.from, { y: "center" })],
  });
  view.focus();
}

/**
 * The Python editor (read-only when asked). onRun() is called on Ctrl/Cmd+Enter, onChange(code) after edits.
 * Returns {view, getCode, setCode, markLine(n|null), jumpTo(n), focus, destroy}.
 */
export function createEditor(parent, { doc = "", readOnly = false, onRun = () => {}, onChange = () => {}, label = t("Code editor") } = {}) {
  // Tab indents inside the editor; keyboard users leave it with Escape then Tab.
  const hintId = uid("pg-editor-hint");
  parent.append(el("span", { id: hintId, class: "pg-visually-hidden", text: t("Tab indents. Press Escape then Tab to move out of the editor. Ctrl+Enter runs the code.") }));
  const theme = new Compartment();
  const extensions = editorExtensions({ theme, readOnly, onRun, onChange, label, hintId });
  const view = new EditorView({ parent, state: EditorState.create({ doc, extensions }) });
  const unsubscribe = themed(view, theme);

  const lineInRange = (n) => Number.isInteger(n) && n >= 1 && n <= view.state.doc.lines;
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode(code) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code }, effects: setMark.of(null) });
    },
    markLine(n) {
      view.dispatch({ effects: setMark.of(lineInRange(n) ? n : null) });
    },
    jumpTo(n) {
      if (lineInRange(n)) jumpTo(view, n);
    },
    focus: () => view.focus(),
    destroy() {
      unsubscribe();
      view.destroy();
    },
  };
}

/** A read-only, highlighted, selectable Python listing. */
export function createCodeView(parent, code, { label = t("Generated code") } = {}) {
  const theme = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: code,
      extensions: [
        lineNumbers(),
        python(),
        EditorState.readOnly.of(true),
        EditorView.contentAttributes.of({ "aria-label": label, "aria-readonly": "true" }),
        sharedTheme,
        EditorView.theme({ "&": { height: "auto" } }),
        theme.of(themeFor(currentTheme())),
      ],
    }),
  });
  const unsubscribe = themed(view, theme);
  return {
    view,
    destroy() {
      unsubscribe();
      view.destroy();
    },
  };
}
