// Signature help: while the cursor is inside a call's parentheses and the index knows what is
// called, a tooltip above the call shows its parameters with the one being written marked
// (by position, or by the keyword typed), and the first paragraph of its docstring.
import { StateEffect, StateField } from "@codemirror/state";
import { EditorView, ViewPlugin, showTooltip } from "@codemirror/view";
import { el } from "../../base/dom.js";
import { loadIndex, loadedIndex } from "./api-index.js";
import { Inference, argumentPosition, enclosingCall } from "./infer.js";
import { docText } from "./docs.js";

const indexArrived = StateEffect.define();
const dismissed = StateEffect.define();

/** The index in `params` of the parameter the cursor's argument fills, or -1. */
export function activeParameter(params, { index, keyword }) {
  if (keyword) return params.findIndex((p) => p.replace(/^\*+/, "").split("=")[0] === keyword);
  let positional = 0;
  for (let i = 0; i < params.length; i += 1) {
    const param = params[i];
    if (param === "/") continue;
    if (param === "*" || param.startsWith("**")) return -1;
    if (param.startsWith("*")) return i; // *args takes every further positional argument
    if (positional === index) return i;
    positional += 1;
  }
  return -1;
}

function signatureDom(entry, active) {
  const name = entry.name.split(".").pop();
  const parts = [];
  entry.p.forEach((param, i) => {
    if (i) parts.push(", ");
    parts.push(i === active ? el("strong", { class: "pg-sig-active", text: param }) : param);
  });
  return el(
    "div",
    { class: "pg-signature", "data-signature": entry.name },
    el("code", { class: "pg-sig-line" }, `${name}(`, parts, ")"),
    entry.d ? el("div", { class: "pg-sig-doc" }, docText(entry.d)) : null,
  );
}

function signatureAt(state, previous) {
  const index = loadedIndex();
  const selection = state.selection.main;
  if (!index || !selection.empty) return null;
  const around = enclosingCall(state, selection.head);
  if (!around) return null;
  const value = new Inference(state, index).value(around.callee);
  const entry = value?.path && !value.instance ? index.entry(value.path) : null;
  if (!entry || !Array.isArray(entry.p)) return null;
  const active = activeParameter(entry.p, argumentPosition(state, around.args, selection.head));
  const key = `${entry.name}:${active}:${around.args.from}`;
  if (previous && previous.key === key) return previous;
  return { key, pos: around.args.from, above: true, create: () => ({ dom: signatureDom(entry, active) }) };
}

const signatureField = StateField.define({
  create: (state) => signatureAt(state, null),
  update(tooltip, tr) {
    if (tr.effects.some((e) => e.is(dismissed))) return null;
    if (!tr.docChanged && !tr.selection && !tr.effects.some((e) => e.is(indexArrived))) return tooltip;
    return signatureAt(tr.state, tooltip);
  },
  provide: (field) => showTooltip.from(field),
});

// Fetches the index when the learner first uses the editor (focus, a key, a click; not the
// page setting its code), then shows what it now knows.
function used(update) {
  if (update.focusChanged && update.view.hasFocus) return true;
  return update.transactions.some((tr) => ["input", "delete", "select", "move"].some((event) => tr.isUserEvent(event)));
}

const loader = ViewPlugin.define((view) => {
  let asked = false;
  return {
    update(update) {
      if (asked || !used(update)) return;
      asked = true;
      loadIndex().then((index) => {
        if (index && !view.destroyed) view.dispatch({ effects: indexArrived.of(null) });
      });
    },
  };
});

// Escape hides the help (and goes on to do what else it does, such as leaving Vim's insert mode).
const escape = EditorView.domEventHandlers({
  keydown(event, view) {
    if (event.key === "Escape" && view.state.field(signatureField, false)) view.dispatch({ effects: dismissed.of(null) });
    return false;
  },
});

/** Signature help, and the index fetched when the editor is first used. */
export const signatureHelp = [signatureField, loader, escape];
