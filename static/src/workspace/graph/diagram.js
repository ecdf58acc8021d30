// Draws a Tree with cytoscape: leaves as boxes, expanded groups as compound boxes around their
// children, collapsed groups as single boxes, positions from the layout worker. Handles pan,
// zoom, fit, selection, expand/collapse on double click, hovering, highlighted boxes, edge labels
// (tensor types), and theme changes. Emits "pg:diagram-rendered" on the container with timings
// after each drawing.
import cytoscape from "cytoscape";
import { onThemeChange } from "../../base/theme.js";
import { ROOT } from "./tree.js";
import { PADDING, loadTree } from "./layout-client.js";
import { stylesheet } from "./diagram-style.js";

// An edge's label: its tensor type, with the count when it stands for several edges.
function edgeLabel(edge) {
  if (edge.count > 1) return edge.type ? `${edge.type} ×${edge.count}` : `×${edge.count}`;
  return edge.type || "";
}

function edgeElement(edge, labelled) {
  const classes = [edge.control ? "control" : "", edge.count > 1 ? "multi" : "", edge.dynamic ? "dynamic" : "", labelled ? "with-type" : ""].join(" ").trim();
  return { group: "edges", data: { id: edge.id, source: edge.source, target: edge.target, count: edge.count, label: edgeLabel(edge) }, classes };
}

export class Diagram {
  /**
   * tree: a Tree; describe(item) -> {label, classes, data} for leaves and (with isGroup) groups;
   * extraStyle() -> cytoscape style rules for the classes describe() gives;
   * onSelect(id|null), onActivate(id) (double click / Enter on a leaf), onHover({kind, id,
   * x, y} | null) with the pointer's position in the container.
   */
  constructor(container, tree, { describe, extraStyle = () => [], onSelect = () => {}, onActivate = () => {}, onHover = () => {} }) {
    this.container = container;
    this.tree = tree;
    this.describe = describe;
    this.extraStyle = extraStyle;
    this.onSelect = onSelect;
    this.onActivate = onActivate;
    this.onHover = onHover;
    this.showTypes = false;
    this.sourceIds = new Set();
    this.handle = null;
    this.cy = null;
    this.busy = Promise.resolve();
    this.timings = [];
  }

  /** started: when the caller began (for the timing); phases: its own timings to report. */
  async init({ started = performance.now(), phases = {} } = {}) {
    const begun = performance.now();
    this.handle = await loadTree(this.tree);
    const loaded = performance.now();
    this.cy = cytoscape({
      container: this.container,
      style: stylesheet(this.extraStyle),
      minZoom: 0.03,
      maxZoom: 4,
      boxSelectionEnabled: false,
      autoungrabify: true,
      selectionType: "single",
      hideEdgesOnViewport: this.tree.items.size > 800,
      textureOnViewport: this.tree.items.size > 800,
    });
    this.cy.on("tap", "node", (event) => this.select(event.target.id()));
    this.cy.on("tap", (event) => {
      if (event.target === this.cy) this.select(null);
    });
    this.cy.on("dbltap", "node", (event) => this.activate(event.target.id()));
    this.cy.on("mouseover", "node, edge", (event) => {
      const { x, y } = event.renderedPosition || event.target.renderedPosition();
      const target = event.target;
      this.onHover({ kind: target.isNode() ? "node" : "edge", id: target.id(), x, y, label: target.data("label"), dynamic: target.hasClass("dynamic") });
    });
    this.cy.on("mouseout", "node, edge", () => this.onHover(null));
    this.unsubscribe = onThemeChange(() => this.cy?.style(stylesheet(this.extraStyle)));
    this.container.addEventListener("keydown", (event) => this.onKey(event));
    const created = performance.now();
    await this.render({ fit: true, started, phases: { ...phases, send: loaded - begun, create: created - loaded } });
  }

  onKey(event) {
    if (!this.cy || event.target !== this.container) return;
    const step = 60;
    const actions = {
      "+": () => this.zoomBy(1.25),
      "=": () => this.zoomBy(1.25),
      "-": () => this.zoomBy(0.8),
      0: () => this.fit({ whole: true }),
      ArrowLeft: () => this.cy.panBy({ x: step, y: 0 }),
      ArrowRight: () => this.cy.panBy({ x: -step, y: 0 }),
      ArrowUp: () => this.cy.panBy({ x: 0, y: step }),
      ArrowDown: () => this.cy.panBy({ x: 0, y: -step }),
      Enter: () => this.selected && this.activate(this.selected),
    };
    if (actions[event.key]) {
      event.preventDefault();
      actions[event.key]();
    }
  }

  activate(id) {
    if (this.tree.isGroup(id)) this.toggle(id);
    else this.onActivate(id);
  }

  /** Expands or collapses a group; resolves once the new view is drawn. */
  toggle(gid, open = !this.tree.isExpanded(gid)) {
    if (!this.tree.isGroup(gid) || gid === ROOT) return this.busy;
    if (open) this.tree.expanded.add(gid);
    else this.tree.expanded.delete(gid);
    return this.queue(() => this.render({ anchor: gid }));
  }

  /** Expands the groups around a leaf, selects it and centres it. */
  reveal(id) {
    this.tree.reveal(id);
    return this.queue(async () => {
      await this.render({});
      if (!this.cy) return;
      this.select(id);
      const node = this.cy.$id(id);
      if (node.nonempty()) this.cy.animate({ center: { eles: node }, zoom: Math.max(this.cy.zoom(), 0.9) }, { duration: 200 });
    });
  }

  queue(step) {
    this.busy = this.busy.then(step, step);
    return this.busy;
  }

  /** Shows (or hides) each edge's tensor type on it. */
  setEdgeLabels(on) {
    this.showTypes = on;
    this.cy?.edges().toggleClass("with-type", on);
  }

  /**
   * Highlights these leaves (the ops of a line of the snippet), opening the scopes that hold
   * them; resolves once they are drawn.
   */
  highlight(ids) {
    this.sourceIds = new Set(ids);
    for (const id of ids) this.tree.reveal(id);
    return this.queue(async () => {
      await this.render({});
      if (!this.cy) return;
      this.cy.$(".source").removeClass("source");
      for (const id of ids) this.cy.$id(id).addClass("source");
    });
  }

  /** Where a box is on the page (its centre, in client coordinates), or null. */
  clientPosition(id) {
    const node = this.cy?.$id(id);
    if (!node || node.empty()) return null;
    const box = this.container.getBoundingClientRect();
    const { x, y } = node.renderedPosition();
    return { x: box.left + x, y: box.top + y };
  }

  select(id) {
    if (!this.cy) return;
    this.selected = id;
    this.cy.$(":selected").unselect();
    if (id) this.cy.$id(id).select();
    this.onSelect(id);
  }

  positions(interior) {
    const centres = new Map();
    const place = (gid, ox, oy) => {
      const layout = interior[gid];
      if (!layout) return;
      for (const child of this.tree.groups.get(gid).children) {
        const [x, y] = layout.pos[child] || [0, 0];
        const ax = ox + x;
        const ay = oy + y;
        if (this.tree.isGroup(child) && this.tree.isExpanded(child)) {
          place(child, ax + PADDING.padX, ay + PADDING.padTop);
        } else {
          const size = this.tree.isGroup(child) ? this.tree.groups.get(child).size : this.tree.items.get(child).size;
          centres.set(child, { x: ax + size[0] / 2, y: ay + size[1] / 2 });
        }
      }
    };
    place(ROOT, 0, 0);
    return centres;
  }

  element(node, centres) {
    const { id, parent, compound } = node;
    const group = this.tree.groups.get(id);
    const info = this.describe(group ? { ...group, isGroup: true, compound } : this.tree.items.get(id));
    const size = group ? group.size : this.tree.items.get(id).size;
    const classes = [info.classes || "", group ? (compound ? "scope-open" : "group") : "leaf", group?.synthetic ? "synthetic" : "", this.sourceIds.has(id) ? "source" : ""].join(" ").trim();
    return {
      group: "nodes",
      data: { id, parent: parent || undefined, label: info.label, w: size[0], h: size[1], ...(info.data || {}) },
      position: compound ? undefined : centres.get(id),
      classes,
    };
  }

  async render({ fit = false, anchor = null, started = performance.now(), phases = {} } = {}) {
    if (!this.cy) return null;
    const before = anchor && this.cy.$id(anchor).nonempty() ? this.cy.$id(anchor).renderedBoundingBox() : null;
    const expanded = this.tree.expandedBottomUp();
    const sent = performance.now();
    const result = await this.handle.layout(expanded);
    if (!this.cy) return null;
    const laidOut = performance.now();
    const centres = this.positions(result.interior);
    const { nodes, edges } = this.tree.visible();
    this.cy.batch(() => this.sync(nodes, edges, centres));
    this.restoreView({ fit, anchor, before });
    const drawn = performance.now();
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    return this.report({
      ...phases,
      total: performance.now() - started,
      layout: laidOut - sent,
      worker: result.ms,
      scopesLaidOut: result.computed,
      apply: drawn - laidOut,
      nodes: nodes.length,
      edges: edges.length,
    });
  }

  // Makes cytoscape's elements the visible nodes and edges: updates those it has, adds the rest.
  sync(nodes, edges, centres) {
    const cy = this.cy;
    const keep = new Set(nodes.map((n) => n.id));
    for (const edge of edges) keep.add(edge.id);
    cy.elements().filter((ele) => !keep.has(ele.id())).remove();
    const fresh = [];
    for (const node of nodes) {
      const element = this.element(node, centres);
      const existing = cy.$id(node.id);
      if (existing.empty()) {
        fresh.push(element);
        continue;
      }
      // A node's parent never changes between views; cytoscape refuses it through data().
      const { parent: _parent, ...data } = element.data;
      existing.data(data);
      existing.classes(element.classes);
      if (element.position) existing.position(element.position);
    }
    // Parents must exist before their children are added.
    cy.add(fresh);
    cy.add(edges.filter((edge) => cy.$id(edge.id).empty()).map((edge) => edgeElement(edge, this.showTypes)));
  }

  // Fits the drawing, or keeps the anchor box where it was on screen; drops a vanished selection.
  restoreView({ fit, anchor, before }) {
    const cy = this.cy;
    if (fit) this.fit();
    else if (before) {
      const after = cy.$id(anchor).renderedBoundingBox();
      cy.panBy({ x: before.x1 - after.x1, y: before.y1 - after.y1 });
    }
    if (this.selected && cy.$id(this.selected).empty()) this.select(null);
  }

  report(timing) {
    this.timings.push(timing);
    this.container.dispatchEvent(new CustomEvent("pg:diagram-rendered", { detail: timing, bubbles: true }));
    return timing;
  }

  /** Fits the drawing in view; a drawing too big to read that way shows its top, readable. */
  fit({ whole = false } = {}) {
    const cy = this.cy;
    if (!cy) return;
    cy.resize();
    // Hidden (a tab switched away mid-drawing): fit when shown again.
    this.fitWhenShown = cy.width() === 0;
    if (this.fitWhenShown) return;
    cy.fit(undefined, 24);
    if (cy.zoom() > 1.4) {
      cy.zoom(1.4);
      cy.center();
    } else if (!whole && cy.zoom() < 0.5) {
      const box = cy.elements().boundingBox();
      cy.zoom(0.75);
      const width = Math.min(box.w * 0.75, cy.width() - 48);
      cy.pan({ x: (cy.width() - width) / 2 - box.x1 * 0.75, y: 24 - box.y1 * 0.75 });
    }
  }

  zoomBy(factor) {
    const cy = this.cy;
    if (!cy) return;
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }

  resize() {
    this.cy?.resize();
    if (this.fitWhenShown) this.fit();
  }

  destroy() {
    this.unsubscribe?.();
    this.cy?.destroy();
    this.handle?.drop();
    this.cy = null;
  }
}
