// The diagram model shared by the graph and model views: leaves (ops, layers) nested in groups
// (name scopes, sublayers) under a root, with edges between leaves. It knows which groups are
// expanded, which element stands for a leaf in the current view (itself or its outermost
// collapsed group), and the edges between groups' direct children that each group's own layout
// needs. Pure data: no DOM, no layout engine.

export const ROOT = "g:";

// Groups with more direct children than this are split into numbered parts, so that one layout
// never handles more than about this many boxes.
export const MAX_CHILDREN = 50;

/**
 * Builds a tree from leaves [{id, parent (group id or ROOT), ...}], groups
 * [{id, parent, label, ...}] and edges [{source, target, control}] (leaf ids).
 */
export class Tree {
  constructor({ leaves, groups, edges, maxChildren = MAX_CHILDREN }) {
    this.items = new Map();
    this.groups = new Map([[ROOT, { id: ROOT, parent: null, label: "", children: [], depth: 0, leafCount: 0 }]]);
    for (const group of groups) this.groups.set(group.id, { ...group, children: [], depth: 0, leafCount: 0 });
    for (const group of groups) this.attach(group.id, group.parent ?? ROOT);
    for (const leaf of leaves) {
      this.items.set(leaf.id, { ...leaf, isGroup: false });
      this.attach(leaf.id, this.groups.has(leaf.parent) ? leaf.parent : ROOT);
    }
    this.parent = new Map();
    this.indexParents(ROOT);
    this.pruneEmpty();
    this.edges = edges.filter((e) => this.items.has(e.source) && this.items.has(e.target) && e.source !== e.target);
    this.splitLargeGroups(maxChildren);
    this.parent = new Map();
    this.indexParents(ROOT);
    this.countAndDepth(ROOT, 0);
    this.interior = this.interiorEdges();
    this.expanded = new Set([ROOT]);
  }

  attach(id, parentId) {
    const parent = this.groups.get(parentId) ?? this.groups.get(ROOT);
    parent.children.push(id);
  }

  indexParents(gid) {
    for (const child of this.groups.get(gid).children) {
      this.parent.set(child, gid);
      if (this.groups.has(child)) this.indexParents(child);
    }
  }

  isGroup(id) {
    return this.groups.has(id);
  }

  pruneEmpty() {
    const visit = (gid) => {
      const group = this.groups.get(gid);
      group.children = group.children.filter((child) => !this.groups.has(child) || visit(child));
      if (gid !== ROOT && group.children.length === 0) {
        this.groups.delete(gid);
        return false;
      }
      return true;
    };
    visit(ROOT);
  }

  countAndDepth(gid, depth) {
    const group = this.groups.get(gid);
    group.depth = depth;
    group.leafCount = 0;
    for (const child of group.children) {
      if (this.groups.has(child)) group.leafCount += this.countAndDepth(child, depth + 1);
      else group.leafCount += 1;
    }
    return group.leafCount;
  }

  /** Group ids from the root down to (not including) id. */
  ancestors(id) {
    const chain = [];
    for (let p = this.parent.get(id); p != null; p = this.parent.get(p)) chain.push(p);
    return chain.reverse();
  }

  // Direct children of a group in data-flow order (Kahn's algorithm, earliest child first), so
  // that split parts follow the flow.
  orderedChildren(gid) {
    const children = this.groups.get(gid).children;
    const { indegree, next } = this.childLinks(gid);
    const index = new Map(children.map((c, i) => [c, i]));
    const ready = new MinHeap();
    for (const c of children) if (indegree.get(c) === 0) ready.push(index.get(c));
    const order = [];
    const placed = new Set();
    let scan = 0;
    while (order.length < children.length) {
      if (!ready.size) {
        // A cycle (loop back edges): carry on from the earliest child not placed yet.
        while (placed.has(children[scan])) scan += 1;
        ready.push(scan);
      }
      const node = children[ready.pop()];
      if (placed.has(node)) continue;
      placed.add(node);
      order.push(node);
      for (const target of next.get(node)) {
        indegree.set(target, indegree.get(target) - 1);
        if (indegree.get(target) === 0 && !placed.has(target)) ready.push(index.get(target));
      }
    }
    return order;
  }

  // The edges between a group's direct children (each edge lifted to the children holding its
  // ends, once per pair): each child's successors and how many distinct children lead to it.
  childLinks(gid) {
    const children = this.groups.get(gid).children;
    const childOf = (leaf) => {
      let node = leaf;
      for (let p = this.parent.get(node); p != null; p = this.parent.get(node)) {
        if (p === gid) return node;
        node = p;
      }
      return null;
    };
    const indegree = new Map(children.map((c) => [c, 0]));
    const next = new Map(children.map((c) => [c, new Set()]));
    for (const edge of this.edges) {
      const a = childOf(edge.source);
      const b = childOf(edge.target);
      if (a == null || b == null || a === b || next.get(a).has(b)) continue;
      next.get(a).add(b);
      indegree.set(b, indegree.get(b) + 1);
    }
    return { indegree, next };
  }

  splitLargeGroups(max) {
    const pending = [ROOT];
    while (pending.length) {
      const gid = pending.pop();
      const group = this.groups.get(gid);
      if (group.children.length > max) this.split(gid, max);
      for (const child of group.children) if (this.groups.has(child)) pending.push(child);
    }
  }

  split(gid, max) {
    const group = this.groups.get(gid);
    const order = this.orderedChildren(gid);
    const size = Math.ceil(order.length / Math.ceil(order.length / max));
    const parts = [];
    for (let start = 0; start < order.length; start += size) {
      const id = `${gid}#${start / size + 1}`;
      const members = order.slice(start, start + size);
      this.groups.set(id, {
        id,
        parent: gid,
        label: `${group.label || "…"} [${start + 1}–${start + members.length}]`,
        scope: group.scope,
        synthetic: true,
        children: members,
        depth: 0,
        leafCount: 0,
      });
      for (const member of members) this.parent.set(member, id);
      this.parent.set(id, gid);
      parts.push(id);
    }
    group.children = parts;
    // Parts may themselves be too large when there are very many of them.
    if (parts.length > max) this.split(gid, max);
  }

  // For each group, the edges between its direct children implied by leaf edges (deduplicated).
  interiorEdges() {
    const interior = new Map();
    for (const edge of this.edges) {
      const a = [...this.ancestors(edge.source), edge.source];
      const b = [...this.ancestors(edge.target), edge.target];
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
      const lca = a[i - 1];
      const from = a[i];
      const to = b[i];
      if (from == null || to == null) continue;
      if (!interior.has(lca)) interior.set(lca, new Map());
      const key = `${from}\u0000${to}`;
      if (!interior.get(lca).has(key)) interior.get(lca).set(key, [from, to]);
    }
    return new Map([...interior].map(([gid, map]) => [gid, [...map.values()]]));
  }

  /**
   * The first view: opens the tree level by level while the whole level fits in about `budget`
   * boxes (or fewer than `least` are visible), and always opens a group that is its parent's
   * only child.
   */
  autoExpand(budget = 30, least = 8) {
    this.expanded = new Set([ROOT]);
    let visible = this.groups.get(ROOT).children.length;
    let frontier = this.groups.get(ROOT).children.filter((id) => this.groups.has(id));
    while (frontier.length) {
      const cost = frontier.reduce((sum, id) => sum + this.groups.get(id).children.length - 1, 0);
      const opened = visible < least || visible + cost <= budget
        ? frontier
        : frontier.filter((id) => this.groups.get(this.parent.get(id)).children.length === 1);
      if (!opened.length) break;
      for (const id of opened) {
        this.expanded.add(id);
        visible += this.groups.get(id).children.length - 1;
      }
      frontier = opened.flatMap((id) => this.groups.get(id).children.filter((c) => this.groups.has(c)));
    }
  }

  sizeOf(id) {
    return this.groups.has(id) ? this.groups.get(id).children.length : 0;
  }

  isExpanded(gid) {
    return this.expanded.has(gid);
  }

  /** Expanded groups, children before parents (the order their layouts must be computed in). */
  expandedBottomUp() {
    return [...this.expanded].filter((g) => this.groups.has(g)).sort((a, b) => this.groups.get(b).depth - this.groups.get(a).depth);
  }

  /** The id shown for a leaf now: the outermost collapsed group holding it, or the leaf itself. */
  representative(id) {
    for (const gid of this.ancestors(id)) if (!this.expanded.has(gid)) return gid;
    return id;
  }

  /** Visible elements: {nodes: [{id, parent (expanded group or null), compound}], edges}. */
  visible() {
    const nodes = [];
    const walk = (gid) => {
      for (const child of this.groups.get(gid).children) {
        const compound = this.groups.has(child) && this.expanded.has(child);
        nodes.push({ id: child, parent: gid === ROOT ? null : gid, compound });
        if (compound) walk(child);
      }
    };
    walk(ROOT);
    const edges = new Map();
    for (const edge of this.edges) {
      const source = this.representative(edge.source);
      const target = this.representative(edge.target);
      if (source === target) continue;
      const key = `${source}\u0000${target}`;
      const known = edges.get(key);
      if (known) {
        known.count += 1;
        known.control = known.control && Boolean(edge.control);
        // Tensors of one type keep it; mixed ones have none to show.
        if (known.type !== edge.type) known.type = null;
        known.dynamic = known.dynamic || Boolean(edge.dynamic);
      } else {
        edges.set(key, { id: `e:${key}`, source, target, count: 1, control: Boolean(edge.control), tensor: edge.tensor, type: edge.type ?? null, dynamic: Boolean(edge.dynamic) });
      }
    }
    return { nodes, edges: [...edges.values()] };
  }

  /** Expands every group on the way to `id` so that it is visible. */
  reveal(id) {
    for (const gid of this.ancestors(id)) this.expanded.add(gid);
  }
}

// A binary min-heap of numbers: the ready queue of orderedChildren().
class MinHeap {
  constructor() {
    this.items = [];
  }

  get size() {
    return this.items.length;
  }

  push(value) {
    const items = this.items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (items[up] <= items[i]) break;
      [items[up], items[i]] = [items[i], items[up]];
      i = up;
    }
  }

  pop() {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && items[l] < items[m]) m = l;
        if (r < items.length && items[r] < items[m]) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i], items[m]];
        i = m;
      }
    }
    return top;
  }
}
