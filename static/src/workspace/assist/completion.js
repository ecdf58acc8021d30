// Completion from the API index: members after a dot (`tf.ke` -> keras, `ds.` -> Dataset's
// methods when `ds` came from tf.data.Dataset.from_tensor_slices), modules after `import` and
// `from ... import`, and keyword arguments inside a call. The snippet's own names and Python's
// builtins come from @codemirror/lang-python's sources beside this one.
import { syntaxTree } from "@codemirror/language";
import { keywordNames, loadIndex, signatureText } from "./api-index.js";
import { Inference, argumentPosition, enclosingCall } from "./infer.js";
import { docNode } from "./docs.js";

const KIND_TYPES = { module: "namespace", class: "class", function: "function", method: "method", property: "property", attribute: "constant" };
const NOT_HERE = new Set(["Comment", "String", "FormatString"]);
const DETAIL_MAX = 48;

function detail(entry) {
  const text = signatureText(entry);
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX - 1)}…)` : text;
}

function option(index, label, name) {
  const entry = index.entry(name);
  return {
    label,
    type: KIND_TYPES[entry?.k] || "variable",
    detail: entry ? detail(entry) : undefined,
    info: entry && (entry.d || entry.p) ? () => docNode(entry, name) : undefined,
  };
}

// The expression before the dot that ends at `from`, in the member expression it starts.
function objectBeforeDot(state, from) {
  for (let node = syntaxTree(state).resolveInner(from, -1); node; node = node.parent) {
    if (node.name !== "MemberExpression") continue;
    const dot = node.getChild(".");
    if (dot && dot.to === from) return node.firstChild;
  }
  return null;
}

// Members of the object before the dot that ends just before `from`.
function memberOptions(context, index, from) {
  const object = objectBeforeDot(context.state, from);
  if (!object) return null;
  const value = new Inference(context.state, index).value(object);
  if (!value) return null;
  const owner = value.instance || value.path;
  // A class named (not called) lists what its class offers too: Dataset.from_tensor_slices.
  const members = index.members(owner);
  const options = members.filter(({ label }) => !label.startsWith("_")).map(({ label, name }) => option(index, label, name));
  return options.length ? options : null;
}

// `import tensorflow.ke|` and `from tensorflow.keras import la|`.
function importOptions(index, line) {
  const fromImport = /^\s*from\s+([\w.]+)\s+import\s+(?:\(?\s*(?:\w+(?:\s+as\s+\w+)?\s*,\s*)*)(\w*)$/.exec(line);
  if (fromImport) {
    const base = moduleOf(fromImport[1]);
    return base ? { word: fromImport[2], options: index.members(base).map(({ label, name }) => option(index, label, name)) } : null;
  }
  const module = /^\s*(?:import|from)\s+((?:\w+\.)*)(\w*)$/.exec(line);
  if (!module) return null;
  const [, prefix, word] = module;
  if (!prefix) {
    return { word, options: ["tensorflow", "keras", "numpy"].map((label) => ({ label, type: "namespace" })) };
  }
  const base = moduleOf(prefix.slice(0, -1));
  if (!base) return null;
  const modules = index.members(base).filter(({ name }) => index.entry(name)?.k === "module");
  return { word, options: modules.map(({ label, name }) => option(index, label, name)) };
}

function moduleOf(dotted) {
  const [head, ...rest] = dotted.split(".");
  const root = { tensorflow: "tf", keras: "keras", numpy: "numpy" }[head];
  return root ? [root, ...rest].join(".") : null;
}

// `units=` for the parameters of the call around the cursor not given yet.
function keywordOptions(context, index, word) {
  const around = enclosingCall(context.state, context.pos);
  if (!around) return null;
  const position = argumentPosition(context.state, around.args, context.pos - word.length);
  if (/=/.test(position.current)) return null; // writing a value, not a name
  const value = new Inference(context.state, index).value(around.callee);
  const entry = value?.path && index.entry(value.path);
  if (!entry) return null;
  const names = keywordNames(entry).filter((name) => !position.named.has(name));
  return names.map((name) => ({ label: `${name}=`, type: "property", detail: entry.p.find((p) => p.split("=")[0] === name)?.slice(name.length + 1) || "", boost: 2 }));
}

/** The completion source; waits for the index the first time it is needed. */
export async function apiCompletions(context) {
  const inner = syntaxTree(context.state).resolveInner(context.pos, -1);
  if (NOT_HERE.has(inner.name)) return null;
  const line = context.state.doc.lineAt(context.pos);
  const before = line.text.slice(0, context.pos - line.from);
  const word = /\w*$/.exec(before)[0];
  const from = context.pos - word.length;
  const afterDot = before.length > word.length && before[before.length - word.length - 1] === ".";
  if (!afterDot && !word && !context.explicit && !/[(,]\s*$/.test(before)) return null;
  const index = await loadIndex();
  if (!index || context.aborted) return null;
  const imported = importOptions(index, before);
  if (imported) return { from: context.pos - imported.word.length, options: imported.options, validFor: /^\w*$/ };
  if (afterDot) {
    const options = memberOptions(context, index, from);
    return options ? { from, options, validFor: /^\w*$/ } : null;
  }
  const keywords = keywordOptions(context, index, word);
  return keywords?.length ? { from, options: keywords, validFor: /^\w*$/ } : null;
}
