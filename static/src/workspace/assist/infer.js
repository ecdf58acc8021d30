// What the snippet's names and expressions are, read from its syntax tree with the API index:
// `import tensorflow as tf` makes `tf` the index's "tf"; `ds = tf.data.Dataset.range(3)` makes
// `ds` an instance of tf.data.Dataset (the call's return class), so `ds.` lists Dataset's
// methods. A name is what its last binding before the reference made it; scopes are not told
// apart (a snippet is small and mostly flat).
//
// A value is {path} (a module, class, function or method the index names), {instance} (an object
// of an indexed class), or both (tf.float32: the attribute, of class tf.DType); null is unknown.
import { syntaxTree } from "@codemirror/language";
import { indexModule } from "./api-index.js";

// Written without an import in so many snippets and docs that guessing them beats knowing nothing.
const CONVENTIONS = { tf: "tf", np: "numpy", keras: "keras" };
const MAX_DEPTH = 24;

const bindingCache = new WeakMap();

function text(state, node) {
  return state.doc.sliceString(node.from, node.to);
}

function children(node) {
  const out = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

// `import a.b as c, d` and `from a.b import c as d, e`: [[bound name, index path]].
function importBindings(state, node) {
  const parts = children(node);
  const words = parts.map((n) => ({ name: n.name, text: text(state, n), node: n }));
  const fromAt = words.findIndex((w) => w.name === "from");
  const importAt = words.findIndex((w) => w.name === "import");
  const dotted = (list) => list.map((w) => (w.name === "VariableName" ? w.text : w.name === "." ? "." : "")).join("");
  const out = [];
  if (fromAt >= 0) {
    const base = indexModule(dotted(words.slice(fromAt + 1, importAt)));
    for (const [name, alias] of importedNames(words.slice(importAt + 1))) {
      if (base) out.push([alias || name, `${base}.${name}`]);
    }
    return out;
  }
  for (const group of split(words.slice(importAt + 1))) {
    const asAt = group.findIndex((w) => w.name === "as");
    const path = dotted(asAt >= 0 ? group.slice(0, asAt) : group);
    const alias = asAt >= 0 ? group[asAt + 1]?.text : null;
    const module = indexModule(alias ? path : path.split(".")[0]);
    if (module) out.push([alias || path.split(".")[0], module]);
  }
  return out;
}

function split(words) {
  const groups = [[]];
  for (const word of words) {
    if (word.name === ",") groups.push([]);
    else if (word.name !== "(" && word.name !== ")") groups[groups.length - 1].push(word);
  }
  return groups.filter((g) => g.length);
}

function importedNames(words) {
  return split(words).map((group) => {
    const asAt = group.findIndex((w) => w.name === "as");
    return [group[0].text, asAt >= 0 ? group[asAt + 1]?.text : null];
  });
}

function addBinding(bindings, name, binding) {
  if (!bindings.has(name)) bindings.set(name, []);
  bindings.get(name).push(binding);
}

// Every binding of the snippet, by name: [{at, path} | {at, node} | {at, local}], `at` being where
// it takes effect.
function collectBindings(state) {
  const bindings = new Map();
  syntaxTree(state).iterate({
    enter(ref) {
      const node = ref.node;
      if (node.name === "ImportStatement") {
        for (const [name, path] of importBindings(state, node)) addBinding(bindings, name, { at: node.to, path });
        return false;
      }
      if (node.name === "AssignStatement") {
        const parts = children(node);
        const value = parts[parts.length - 1];
        for (let i = 0; i + 1 < parts.length; i += 1) {
          if (parts[i].name === "VariableName" && parts[i + 1].name === "AssignOp") addBinding(bindings, text(state, parts[i]), { at: node.to, node: value });
        }
      } else if (node.name === "WithStatement") {
        const parts = children(node);
        parts.forEach((part, i) => {
          if (part.name === "as" && parts[i + 1]?.name === "VariableName" && parts[i - 1]) {
            addBinding(bindings, text(state, parts[i + 1]), { at: parts[i + 1].to, node: parts[i - 1] });
          }
        });
      } else if (node.name === "FunctionDefinition" || node.name === "ClassDefinition") {
        const name = node.getChild("VariableName");
        if (name) addBinding(bindings, text(state, name), { at: name.to, local: node.name === "ClassDefinition" ? "class" : "function" });
      }
      return undefined;
    },
  });
  return bindings;
}

function bindingsOf(state) {
  const tree = syntaxTree(state);
  let found = bindingCache.get(tree);
  if (!found) {
    found = collectBindings(state);
    bindingCache.set(tree, found);
  }
  return found;
}

/** Infers values of the snippet's expressions against the index; one per editor state. */
export class Inference {
  constructor(state, index) {
    this.state = state;
    this.index = index;
    this.bindings = bindingsOf(state);
    this.depth = 0;
  }

  /** The value a name has at `pos` (its last binding before there). */
  name(name, pos) {
    const list = this.bindings.get(name) || [];
    let last = null;
    for (const binding of list) if (binding.at <= pos) last = binding;
    if (!last) return CONVENTIONS[name] && !list.length ? { path: CONVENTIONS[name] } : null;
    if (last.path) return this.named(last.path);
    if (last.node) return this.guarded(() => this.value(last.node));
    return null;
  }

  guarded(fn) {
    if (this.depth > MAX_DEPTH) return null;
    this.depth += 1;
    try {
      return fn();
    } finally {
      this.depth -= 1;
    }
  }

  /** The value of a path the index knows: the thing, and the class of its value if known. */
  named(path) {
    const entry = this.index.entry(path);
    if (!entry) return null;
    const type = entry.k === "attribute" || entry.k === "property" ? entry.t : null;
    return type ? { path: entry.name, instance: type } : { path: entry.name };
  }

  /** The value of an expression node. */
  value(node) {
    switch (node.name) {
      case "VariableName":
        return node.parent?.name === "Decorator" ? this.decorator(node) : this.name(text(this.state, node), node.from);
      case "Decorator":
        return this.decorator(node.getChildren("VariableName").pop());
      case "MemberExpression": {
        const object = node.firstChild;
        const property = node.lastChild;
        if (!object || !property || property.name !== "PropertyName") return null;
        return this.member(this.value(object), text(this.state, property));
      }
      case "CallExpression":
        return node.firstChild ? this.call(this.value(node.firstChild)) : null;
      case "ParenthesizedExpression":
        return node.firstChild?.nextSibling ? this.value(node.firstChild.nextSibling) : null;
      default:
        return null;
    }
  }

  /** A decorator's dotted name up to `last` (`@tf.function` is At, tf, ".", function). */
  decorator(last) {
    if (!last) return null;
    let value = null;
    for (const part of last.parent.getChildren("VariableName")) {
      const name = text(this.state, part);
      value = value === null ? this.name(name, part.from) : this.member(value, name);
      if (part.from === last.from) return value;
    }
    return null;
  }

  /** `value.name`: a module's or class's member, or an instance's (through its class). */
  member(value, name) {
    if (!value) return null;
    if (value.instance) {
      const owner = this.index.resolve(value.instance);
      const found = owner && this.index.member(owner, name);
      if (found) return this.named(found);
    }
    return value.path ? this.named(`${value.path}.${name}`) : null;
  }

  /** What calling a value gives: an instance of a class called, or of a function's return class. */
  call(value) {
    if (!value?.path || value.instance) return null;
    const entry = this.index.entry(value.path);
    if (!entry) return null;
    if (entry.k === "class") return { instance: entry.name };
    return entry.r ? { instance: entry.r } : null;
  }

  /** The snippet's own top-level names that are bound before `pos`. */
  localNames(pos) {
    return [...this.bindings.entries()].filter(([, list]) => list.some((b) => b.at <= pos)).map(([name]) => name);
  }
}

/** The innermost call whose argument list holds `pos`: {call, args} nodes, or null. */
export function enclosingCall(state, pos) {
  for (let node = syntaxTree(state).resolveInner(pos, -1); node; node = node.parent) {
    if (node.name !== "ArgList") continue;
    const open = node.firstChild;
    const close = node.lastChild;
    const closed = close && close.name === ")" && close !== open;
    const caller = node.parent?.name;
    if (open && pos > open.from && (!closed || pos <= close.from) && (caller === "CallExpression" || caller === "Decorator")) {
      return { call: node.parent, args: node, callee: caller === "Decorator" ? node.parent : node.parent.firstChild };
    }
  }
  return null;
}

/**
 * Where the cursor is in a call's arguments: {index, keyword, named} — the positional index,
 * the keyword being written (`units=` before the cursor), and the keywords already given.
 */
export function argumentPosition(state, args, pos) {
  let index = 0;
  let start = args.firstChild ? args.firstChild.to : args.from;
  const named = new Set();
  for (let child = args.firstChild; child; child = child.nextSibling) {
    if (child.name === "," && child.to <= pos) {
      index += 1;
      start = child.to;
    }
    if (child.name === "VariableName" && child.nextSibling?.name === "AssignOp") named.add(text(state, child));
  }
  const current = state.doc.sliceString(start, pos);
  const keyword = /^\s*(\w+)\s*=/.exec(current)?.[1] || null;
  return { index, keyword, named, current };
}
