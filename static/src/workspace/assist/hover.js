// Hover docs: the mouse on an indexed name (`tf.function`, `Dense`, or `batch` in `ds.batch`)
// shows what docs.js makes of it; on a name of the snippet bound to an instance (`ds`), its class.
import { syntaxTree } from "@codemirror/language";
import { hoverTooltip } from "@codemirror/view";
import { loadIndex } from "./api-index.js";
import { Inference } from "./infer.js";
import { docNode } from "./docs.js";

const NAMES = new Set(["VariableName", "PropertyName"]);

function written(state, node) {
  // The dotted text as the snippet writes it up to this name: "tf.keras.layers.Dense".
  let from = node.name === "PropertyName" && node.parent?.name === "MemberExpression" ? node.parent.from : node.from;
  if (node.parent?.name === "Decorator") from = node.parent.getChild("VariableName").from;
  return state.doc.sliceString(from, node.to).replace(/\s+/g, "");
}

// A snippet name bound to an object: the object's class, said as "instance of".
function instanceEntry(index, type) {
  const cls = index.entry(type);
  return cls ? { name: cls.name, k: "attribute", t: cls.name, d: cls.d } : null;
}

async function describe(view, pos, side) {
  const node = syntaxTree(view.state).resolveInner(pos, side);
  if (!NAMES.has(node.name)) return null;
  const index = await loadIndex();
  if (!index) return null;
  const expression = node.name === "PropertyName" && node.parent?.name === "MemberExpression" ? node.parent : node;
  const value = new Inference(view.state, index).value(expression);
  if (!value) return null;
  const entry = value.path ? index.entry(value.path) : instanceEntry(index, value.instance);
  if (!entry) return null;
  const shown = /^[\w.]+$/.test(written(view.state, node)) ? written(view.state, node) : null;
  return { pos: node.from, end: node.to, above: true, create: () => ({ dom: docNode(entry, shown) }) };
}

/** The hover tooltip extension. */
export const apiHover = hoverTooltip((view, pos, side) => describe(view, pos, side), { hoverTime: 350 });
