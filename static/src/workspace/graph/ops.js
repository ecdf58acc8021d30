// Turns a `graph` event (or one control-flow body of it) into a Tree of ops grouped by name
// scope, with op categories for colouring, the bodies each control-flow op can open, the snippet
// lines each op came from, and each edge's tensor type as traced.
import { ROOT, Tree } from "./tree.js";
import { format, tn } from "../../base/i18n.js";

export const CATEGORIES = [
  ["control", /^(Stateless)?(If|While|Case)$|^(Stateful)?PartitionedCall$|^(Switch|Merge|Enter|Exit|NextIteration|LoopCond)$/],
  ["io", /^(Placeholder|_Arg|_Retval|Const|Identity|IdentityN|NoOp|StopGradient|PlaceholderWithDefault)$/],
  ["variable", /Variable|^VarHandleOp$|^ReadVariableOp$|^Assign|^ResourceGather|^ResourceApply|^VarIsInitialized/],
  ["random", /Random|Multinomial|Shuffle/],
  ["nn", /^(Relu6?|Elu|Selu|Sigmoid|Tanh|Softmax|LogSoftmax|Softplus|BiasAdd|Conv\w*|DepthwiseConv\w*|MaxPool\w*|AvgPool\w*|FusedBatchNorm\w*|\w*SoftmaxCrossEntropyWithLogits|LRN|Dropout\w*|LeakyRelu|Gelu)$/],
  ["compare", /^(Less|LessEqual|Greater|GreaterEqual|Equal|NotEqual|Logical\w+|Select|SelectV2|Where|IsFinite|IsNan|ArgMax|ArgMin)$/],
  ["array", /^(Reshape|Shape|ShapeN|Size|Rank|Transpose|ConcatV2|Concat|Pack|Unpack|StridedSlice|Slice|Gather\w*|ExpandDims|Squeeze|Fill|ZerosLike|OnesLike|Tile|Range|Split\w*|Pad\w*|BroadcastTo|BroadcastArgs|Cast|OneHot|TensorList\w*|TensorArray\w*)$/],
  ["grad", /Grad|Gradient|^Broadcast/],
  ["math", /./],
];

export function categoryOf(op) {
  for (const [name, pattern] of CATEGORIES) if (pattern.test(op || "")) return name;
  return "math";
}

const CHAR_W = 6.4;
const LINE_H = 14;

function truncate(text, max = 30) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Box size for a label of one or more lines. */
export function boxSize(lines, { min = 56, max = 240, pad = 18, lineH = LINE_H } = {}) {
  const longest = Math.max(...lines.map((line) => line.length));
  return [Math.round(Math.min(max, Math.max(min, longest * CHAR_W + pad))), Math.round(lines.length * lineH + 12)];
}

function scopeOf(node) {
  if (typeof node.scope === "string") return node.scope.replace(/\/+$/, "");
  const name = String(node.name ?? node.id ?? "");
  const cut = name.lastIndexOf("/");
  return cut > 0 ? name.slice(0, cut) : "";
}

// `functions` may be an object {name: body} or a list [{name, nodes, edges}].
export function functionTable(...sources) {
  const table = new Map();
  for (const source of sources) {
    if (!source) continue;
    if (Array.isArray(source)) {
      for (const body of source) if (body && (body.name || body.function)) table.set(body.name || body.function, body);
    } else if (typeof source === "object") {
      for (const [name, body] of Object.entries(source)) table.set(name, body);
    }
  }
  return table;
}

// Attributes whose value names a function in the table: the bodies this op can open.
function bodiesOf(attrs, table) {
  const bodies = [];
  for (const [key, value] of Object.entries(attrs || {})) {
    const names = Array.isArray(value) ? value : [value];
    for (const name of names) {
      const fn = typeof name === "object" && name ? name.name || name.func : name;
      if (typeof fn === "string" && table.has(fn)) bodies.push({ attr: key, fn });
    }
  }
  // A learner reads a branch before its alternative and a loop's body before its condition.
  const rank = (attr) => ({ then_branch: 0, else_branch: 1, body: 2, cond: 3 })[attr] ?? 4;
  return bodies.sort((a, b) => rank(a.attr) - rank(b.attr));
}

// The name scopes, made as ops need them: `scopeId(path)` is the group id of a scope path, its
// parent scopes made first; `scopes` holds every group.
function scopeMaker() {
  const scopes = new Map();
  const scopeId = (path) => {
    if (!path || scopes.has(path)) return path ? `g:${path}` : ROOT;
    const cut = path.lastIndexOf("/");
    const parentPath = cut > 0 ? path.slice(0, cut) : "";
    const parent = parentPath ? scopeId(parentPath) : ROOT;
    const short = path.slice(cut + 1);
    scopes.set(path, { id: `g:${path}`, parent, scope: path, label: short });
    return `g:${path}`;
  };
  return { scopes, scopeId };
}

export function opBodies(node, table) {
  const bodies = bodiesOf(node.attrs, table);
  // Functions the op calls that no attribute named (older events list them only in `calls`).
  for (const fn of Array.isArray(node.calls) ? node.calls : []) {
    if (table.has(fn) && !bodies.some((b) => b.fn === fn)) bodies.push({ attr: "calls", fn });
  }
  return bodies;
}

// One op as a leaf of the tree, in the scope `parent`.
function opLeaf(node, id, parent, table) {
  const name = String(node.name ?? node.id);
  const short = name.slice(name.lastIndexOf("/") + 1);
  const op = String(node.op ?? "?");
  // A graph sent collapsed (over the size cap) has one "scope" node per top-level scope.
  const folded = op === "scope" && Number.isFinite(node.count);
  const lines = folded
    ? [truncate(name, 34), format(tn("%(n)s op", "%(n)s ops", node.count), { n: node.count })]
    : short && short !== op ? [op, truncate(short)] : [op];
  const bodies = opBodies(node, table);
  return {
    id,
    parent,
    node,
    op,
    name,
    label: lines.join("\n"),
    size: boxSize(lines, { min: bodies.length ? 72 : folded ? 80 : 56 }),
    category: folded ? "scope" : categoryOf(op),
    bodies,
    lines: linesOf(node),
  };
}

/** The snippet lines an op (or a collapsed scope) came from. */
export function linesOf(node) {
  if (Array.isArray(node.lines)) return node.lines.filter(Number.isInteger);
  return Number.isInteger(node.line) ? [node.line] : [];
}

/** A tensor's type as traced: `float32[None,4]` (None: a dimension known only at run time). */
export function typeText(dtype, shape) {
  if (!dtype) return "";
  if (!Array.isArray(shape)) return `${dtype}[…]`;
  return `${dtype}[${shape.map((d) => (d == null ? "None" : String(d))).join(",")}]`;
}

/** Whether a shape is known only at run time, in part (a None dimension) or whole (no rank). */
export function isDynamic(shape) {
  return !Array.isArray(shape) || shape.some((d) => d == null);
}

function opEdges(graph, idOf) {
  const edges = [];
  for (const edge of Array.isArray(graph.edges) ? graph.edges : []) {
    const source = idOf.get(String(edge.source));
    const target = idOf.get(String(edge.target));
    if (!source || !target) continue;
    const typed = !edge.control && typeof edge.dtype === "string";
    edges.push({
      source,
      target,
      control: Boolean(edge.control),
      tensor: edge.tensor,
      type: typed ? typeText(edge.dtype, edge.shape) : null,
      dynamic: typed && isDynamic(edge.shape),
    });
  }
  return edges;
}

/**
 * Where the ops of snippet line `line` are, searched from `graph` down through the bodies its
 * ops call (shallowest first): the path of [{node, body}] steps to the part holding them, or
 * null. An empty path: `graph` itself holds some.
 */
export function findLine(graph, table, line) {
  const queue = [{ part: graph, table, path: [] }];
  const seen = new Set();
  while (queue.length) {
    const { part, table: names, path } = queue.shift();
    const nodes = Array.isArray(part.nodes) ? part.nodes : [];
    if (nodes.some((node) => linesOf(node).includes(line))) return path;
    for (const node of nodes) {
      for (const body of opBodies(node, names)) {
        if (seen.has(body.fn)) continue;
        seen.add(body.fn);
        const inner = names.get(body.fn);
        queue.push({ part: inner, table: functionTable(names, inner.functions), path: [...path, { node, body }] });
      }
    }
  }
  return null;
}

/** A Tree for `graph` ({nodes, edges, functions}) whose bodies resolve in `table`. */
export function buildOpTree(graph, table) {
  const { scopes, scopeId } = scopeMaker();
  const leaves = [];
  const idOf = new Map();
  for (const node of Array.isArray(graph.nodes) ? graph.nodes : []) {
    const key = String(node.id ?? node.name);
    const id = `o:${key}`;
    idOf.set(key, id);
    if (node.name != null) idOf.set(String(node.name), id);
    leaves.push(opLeaf(node, id, scopeId(scopeOf(node)), table));
  }
  const tree = new Tree({ leaves, groups: [...scopes.values()], edges: opEdges(graph, idOf) });
  for (const group of tree.groups.values()) {
    if (group.id === ROOT) continue;
    const ops = format(tn("%(n)s op", "%(n)s ops", group.leafCount), { n: group.leafCount });
    const lines = [truncate(group.label || "…", 34), ops];
    group.collapsedLabel = lines.join("\n");
    group.size = boxSize(lines, { min: 80 });
  }
  return tree;
}
