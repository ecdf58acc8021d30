// The layout worker: runs ELK's layered algorithm off the main thread, one name scope at a
// time. The page sends a tree once ("load": each group's direct children and the edges between
// them, each box's size) and then asks for the layout of a set of expanded groups ("layout");
// each group is laid out on its own, innermost first, and reused while its children keep their
// sizes, so opening one scope re-lays only that scope and its ancestors.
import { Worker as ElkEngine } from "elkjs/lib/elk-worker.min.js";

const engine = new ElkEngine();
let answer = null;
engine.onmessage = ({ data }) => {
  answer = data;
};

// ELK's own dispatcher, called synchronously: we are already off the main thread.
function dispatch(data) {
  answer = null;
  engine.dispatcher.saveDispatch({ data });
  return answer;
}

// elk-api normally does this on start: only registered algorithms can be used.
dispatch({ cmd: "register", id: 0, algorithms: ["layered"] });

function elk(graph) {
  dispatch({ cmd: "layout", id: 0, graph });
  if (!answer || answer.error) throw new Error(String(answer?.error?.message || answer?.error || "layout failed"));
  return answer.data;
}

const OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.padding": "[top=0,left=0,bottom=0,right=0]",
  "elk.spacing.nodeNode": "14",
  "elk.spacing.componentComponent": "24",
  "elk.layered.spacing.nodeNodeBetweenLayers": "28",
  "elk.layered.spacing.edgeNodeBetweenLayers": "8",
  "elk.edgeRouting": "POLYLINE",
  "elk.layered.thoroughness": "4",
  // Small groups keep their boxes in the order the graph lists them (inputs left to right).
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
};
// Crossing minimisation is the step that grows fastest: bigger groups get a cheaper pass.
const FAST = { ...OPTIONS, "elk.layered.thoroughness": "1", "elk.layered.considerModelOrder.strategy": "NONE" };
const FAST_FROM = 20;

// Chains (every box with at most one box before and after it) need no layered layout: they are
// stacked top-down, wrapped into columns so that a long chain stays readable.
const WRAP = 14;
const GAP_Y = 22;
const GAP_X = 28;

function chainsOf(children, pairs) {
  const next = new Map();
  const previous = new Map();
  for (const [a, b] of pairs) {
    if (next.has(a) || previous.has(b)) return null;
    next.set(a, b);
    previous.set(b, a);
  }
  const chains = [];
  const loose = [];
  const seen = new Set();
  for (const child of children) {
    if (previous.has(child)) continue;
    const chain = [];
    for (let node = child; node != null && !seen.has(node); node = next.get(node)) {
      seen.add(node);
      chain.push(node);
    }
    if (chain.length === 1) loose.push(child);
    else chains.push(chain);
  }
  if (seen.size !== children.length) return null;
  if (loose.length) chains.push(loose);
  return chains;
}

function stack(chains, sizeOf) {
  const pos = {};
  let x = 0;
  let height = 0;
  for (const chain of chains) {
    for (let start = 0; start < chain.length; start += WRAP) {
      const column = chain.slice(start, start + WRAP);
      const width = Math.max(...column.map((id) => sizeOf.get(id)[0]));
      let y = 0;
      for (const id of column) {
        const [w, h] = sizeOf.get(id);
        pos[id] = [x + (width - w) / 2, y];
        y += h + GAP_Y;
      }
      height = Math.max(height, y - GAP_Y);
      x += width + GAP_X;
    }
  }
  return { size: [Math.max(0, x - GAP_X), height], pos };
}

// The edges that decide the layout: back edges of cycles dropped, and edges implied by a longer
// path (a -> c when a -> b -> c exists) left out. A long implied edge would cost the layered
// algorithm one dummy box per layer it crosses, which made a 40-box scope take over a second;
// cytoscape still draws every edge.
function layoutEdges(children, pairs) {
  const index = new Map(children.map((id, i) => [id, i]));
  const out = children.map(() => []);
  for (const [a, b] of pairs) if (index.has(a) && index.has(b)) out[index.get(a)].push(index.get(b));
  const { forward, order } = acyclic(out);
  return withoutImplied(children, forward, order);
}

// A depth-first walk of `out` (adjacency by index): the edges that are not back edges, and the
// post-order in which every node comes after all it reaches.
function acyclic(out) {
  const state = new Uint8Array(out.length);
  const order = [];
  const forward = out.map(() => []);
  const visit = (root) => {
    const stack = [[root, 0]];
    state[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [node, i] = top;
      if (i < out[node].length) {
        top[1] += 1;
        const next = out[node][i];
        if (state[next] === 1) continue;
        forward[node].push(next);
        if (state[next] === 0) {
          state[next] = 1;
          stack.push([next, 0]);
        }
      } else {
        state[node] = 2;
        order.push(node);
        stack.pop();
      }
    }
  };
  for (let i = 0; i < out.length; i++) if (state[i] === 0) visit(i);
  return { forward, order };
}

// The forward edges not implied by a longer path, as id pairs; reach sets are bit sets.
function withoutImplied(children, forward, order) {
  const words = Math.ceil(children.length / 32);
  const reach = children.map(() => new Uint32Array(words));
  const kept = [];
  for (const node of order) {
    const mine = reach[node];
    const targets = [...new Set(forward[node])];
    for (const target of targets) {
      const theirs = reach[target];
      for (let w = 0; w < words; w++) mine[w] |= theirs[w];
    }
    for (const target of targets) {
      if (!(mine[target >> 5] & (1 << (target & 31)))) kept.push([children[node], children[target]]);
    }
    for (const target of targets) mine[target >> 5] |= 1 << (target & 31);
  }
  return kept;
}

const trees = new Map();

function layoutGroup(tree, gid, boxSize) {
  const group = tree.groups[gid];
  const sizes = new Map(group.children.map((id) => [id, boxSize(id)]));
  const pairs = layoutEdges(group.children, group.edges);
  const chains = chainsOf(group.children, pairs);
  if (chains) return stack(chains, sizes);
  const children = group.children.map((id) => ({ id, width: sizes.get(id)[0], height: sizes.get(id)[1] }));
  const edges = pairs.map(([a, b], i) => ({ id: `e${i}`, sources: [a], targets: [b] }));
  const layoutOptions = children.length >= FAST_FROM ? FAST : OPTIONS;
  const out = elk({ id: "root", layoutOptions, children, edges });
  const pos = {};
  for (const child of out.children) pos[child.id] = [child.x, child.y];
  return { size: [out.width, out.height], pos };
}

function layout({ key, expanded }) {
  const tree = trees.get(key);
  if (!tree) throw new Error(`unknown tree ${key}`);
  const open = new Set(expanded);
  const { padX, padTop, padBottom } = tree.padding;
  const interior = {};
  const boxSize = (id) => {
    if (open.has(id) && interior[id]) {
      const [w, h] = interior[id].size;
      return [w + 2 * padX, h + padTop + padBottom];
    }
    return tree.sizes[id] || [60, 30];
  };
  const started = performance.now();
  let computed = 0;
  // Deepest first: a group's size depends on its expanded children's layouts.
  const order = expanded.filter((g) => tree.groups[g]).sort((a, b) => tree.groups[b].depth - tree.groups[a].depth);
  for (const gid of order) {
    const signature = tree.groups[gid].children.map((id) => boxSize(id).join("x")).join(",");
    const cached = tree.cache.get(gid);
    if (cached && cached.signature === signature) {
      interior[gid] = cached.result;
      continue;
    }
    const result = layoutGroup(tree, gid, boxSize);
    computed += 1;
    tree.cache.set(gid, { signature, result });
    interior[gid] = result;
  }
  return { interior, computed, ms: performance.now() - started };
}

self.onmessage = ({ data }) => {
  const { id, type } = data;
  try {
    if (type === "load") {
      trees.set(data.key, { ...data.tree, cache: new Map() });
      self.postMessage({ id, ok: true });
    } else if (type === "drop") {
      trees.delete(data.key);
      self.postMessage({ id, ok: true });
    } else if (type === "warm") {
      // A small layout on start-up, so the first real one runs on warmed-up code.
      const children = Array.from({ length: 12 }, (_, i) => ({ id: `n${i}`, width: 60, height: 30 }));
      const edges = children.slice(1).map((c, i) => ({ id: `e${i}`, sources: [`n${i >> 1}`], targets: [c.id] }));
      elk({ id: "root", layoutOptions: OPTIONS, children, edges });
      self.postMessage({ id, ok: true });
    } else if (type === "layout") {
      self.postMessage({ id, ok: true, result: layout(data) });
    }
  } catch (error) {
    self.postMessage({ id, ok: false, error: String(error?.message || error) });
  }
};
