// The code editor (CodeMirror 6 with Python) and the read-only code viewer used for Autograph
// output; both follow the page theme. The editor can mark a line (an error) and jump to it, and
// mark the lines a graph op or a generated line came from; both report the line the cursor is on.
// The editor knows TensorFlow (assist/: completion, signature help, hover docs, lint, Format)
// and takes the keymap and font size chosen in the editor bar (editor-keys.js).
import { basicSetup } from "codemirror";
import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { indentUnit } from "@codemirror/language";
import { Compartment, EditorState, Prec, StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, GutterMarker, gutter, keymap, lineNumbers } from "@codemirror/view";
import { currentTheme, onThemeChange } from "../base/theme.js";
import { format, t } from "../base/i18n.js";
import { el, uid } from "../base/dom.js";
import { assistExtensions, formatView } from "./assist/index.js";
import { keymapExtension, storedFontSize, storedKeymap } from "./editor-keys.js";
import { sharedTheme, themeFor } from "./editor-theme.js";

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

// Source marks: the lines something selected elsewhere came from (any number of them at once).
const setSource = StateEffect.define();
function sourceMarks(doc, lines) {
  const valid = [...new Set(lines || [])].filter((n) => Number.isInteger(n) && n >= 1 && n <= doc.lines).sort((a, b) => a - b);
  return Decoration.set(valid.map((n) => Decoration.line({ class: "pg-cm-source-line", attributes: { "data-pg-source-line": String(n) } }).range(doc.line(n).from)));
}
const sourceField = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    let next = marks.map(tr.changes);
    for (const effect of tr.effects) if (effect.is(setSource)) next = sourceMarks(tr.state.doc, effect.value);
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// Calls onCursor(line) when the cursor moves to another line (or is put on one).
function cursorListener(onCursor) {
  let last = null;
  return EditorView.updateListener.of((update) => {
    if (!update.selectionSet && !update.docChanged) return;
    const line = update.state.doc.lineAt(update.state.selection.main.head).number;
    if (line === last && !update.docChanged) return;
    last = line;
    onCursor(line);
  });
}

function markSource(view, lines, { scroll = false } = {}) {
  const effects = [setSource.of(lines)];
  const first = (lines || []).filter((n) => Number.isInteger(n) && n >= 1 && n <= view.state.doc.lines).sort((a, b) => a - b)[0];
  if (scroll && first) effects.push(EditorView.scrollIntoView(view.state.doc.line(first).from, { y: "nearest" }));
  view.dispatch({ effects });
}

function themed(view, compartment) {
  return onThemeChange((theme) => view.dispatch({ effects: compartment.reconfigure(themeFor(theme)) }));
}

// The editor's behaviour: Ctrl/Cmd+Enter runs first, then the usual setup, Python, 4-space
// indents, the error-line mark and the theme; onChange(code) after every edit.
function editorExtensions({ theme, keys, readOnly, onRun, onFormat, onChange, onCursor, label, hintId }) {
  return [
    Prec.highest(keymap.of([
      { key: "Mod-Enter", run: () => (onRun(), true), preventDefault: true },
      { key: "Shift-Alt-f", run: () => (readOnly ? false : (onFormat(), true)), preventDefault: true },
    ])),
    // Vim and Emacs go before the default keymaps, which they take over.
    Prec.high(keys.of([])),
    basicSetup,
    keymap.of([indentWithTab]),
    python(),
    EditorState.tabSize.of(4),
    indentUnit.of("    "),
    markField,
    sourceField,
    cursorListener(onCursor),
    sharedTheme,
    theme.of(themeFor(currentTheme())),
    EditorState.readOnly.of(readOnly),
    assistExtensions({ editable: !readOnly }),
    // tabindex: a scrolled listing is reachable by keyboard (contenteditable alone does not say so).
    EditorView.contentAttributes.of({ "aria-label": label, "aria-describedby": hintId, tabindex: "0" }),
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

// Swaps the keymap once its code has loaded, unless another was chosen meanwhile.
async function applyKeymap(view, keys, state, name) {
  state.keymap = name;
  const extension = await keymapExtension(name);
  if (state.keymap === name && !view.destroyed) view.dispatch({ effects: keys.reconfigure(extension) });
}

function applyFontSize(view, px) {
  view.dom.style.fontSize = `${px}px`;
  view.requestMeasure();
}

/**
 * The Python editor (read-only when asked). onRun() is called on Ctrl/Cmd+Enter, onChange(code) after edits,
 * onCursor(line) when the cursor moves to another line, onFormat(result) after a format started
 * by Shift+Alt+F.
 * Returns {view, getCode, setCode, markLine(n|null), markSource(lines, {scroll}), jumpTo(n), focus,
 * format() (resolves with {ok, message}), setKeymap(name), keymap(), setFontSize(px), destroy}.
 */
export function createEditor(parent, { doc = "", readOnly = false, onRun = () => {}, onChange = () => {}, onCursor = () => {}, onFormat = () => {}, label = t("Code editor") } = {}) {
  // Tab indents inside the editor; keyboard users leave it with Escape then Tab.
  const hintId = uid("pg-editor-hint");
  parent.append(el("span", { id: hintId, class: "pg-visually-hidden", text: t("Tab indents. Press Escape then Tab to move out of the editor. Ctrl+Enter runs the code.") }));
  const theme = new Compartment();
  const keys = new Compartment();
  const settings = { keymap: "default" };
  const formatNow = () => formatView(view).then((result) => (onFormat(result), result));
  const extensions = editorExtensions({ theme, keys, readOnly, onRun, onFormat: formatNow, onChange, onCursor, label, hintId });
  const view = new EditorView({ parent, state: EditorState.create({ doc, extensions }) });
  const unsubscribe = themed(view, theme);
  applyFontSize(view, storedFontSize());
  if (storedKeymap() !== "default") applyKeymap(view, keys, settings, storedKeymap());

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
    /** Marks the lines a selected op or generated line came from ([] clears them). */
    markSource: (lines, options) => markSource(view, lines, options),
    jumpTo(n) {
      if (lineInRange(n)) jumpTo(view, n);
    },
    focus: () => view.focus(),
    /** Formats the code with ruff; resolves with {ok, message}. */
    format: formatNow,
    /** Switches to the "default", "vim" or "emacs" keymap; resolves once it applies. */
    setKeymap: (name) => applyKeymap(view, keys, settings, name),
    keymap: () => settings.keymap,
    setFontSize: (px) => applyFontSize(view, px),
    destroy() {
      unsubscribe();
      view.destroy();
    },
  };
}

// The gutter of a generated listing: the line of the learner's code each line came from.
class OriginMarker extends GutterMarker {
  constructor(line) {
    super();
    this.line = line;
  }

  eq(other) {
    return other.line === this.line;
  }

  toDOM() {
    return el("span", { text: String(this.line), title: format(t("From line %(n)s of your code"), { n: this.line }) });
  }
}

function originGutter(origins) {
  return gutter({
    class: "pg-cm-origins",
    lineMarker(view, block) {
      const origin = origins[view.state.doc.lineAt(block.from).number - 1];
      return Number.isInteger(origin) ? new OriginMarker(origin) : null;
    },
    initialSpacer: () => new OriginMarker(999),
  });
}

/**
 * A read-only, highlighted, selectable Python listing. With `origins` (the source line of each
 * line, or null) a gutter shows them; onCursor(line) when the cursor moves to another line.
 * Returns {view, markLines(lines), destroy}.
 */
export function createCodeView(parent, code, { label = t("Generated code"), origins = null, onCursor = () => {} } = {}) {
  const theme = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: code,
      extensions: [
        lineNumbers(),
        origins ? originGutter(origins) : [],
        sourceField,
        cursorListener(onCursor),
        python(),
        EditorState.readOnly.of(true),
        EditorView.contentAttributes.of({ "aria-label": label, "aria-readonly": "true", tabindex: "0" }),
        sharedTheme,
        EditorView.theme({ "&": { height: "auto" } }),
        theme.of(themeFor(currentTheme())),
      ],
    }),
  });
  const unsubscribe = themed(view, theme);
  return {
    view,
    /** Marks these lines of the listing ([] clears them). */
    markLines: (lines) => markSource(view, lines),
    destroy() {
      unsubscribe();
      view.destroy();
    },
  };
}
