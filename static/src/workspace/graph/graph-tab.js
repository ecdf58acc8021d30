// The Graph tab: a picker of the traced functions, the graph of the chosen one (name scopes as
// collapsible boxes, control-flow bodies openable from their op, with breadcrumbs back), a side
// panel with the selected op's details, the list of control-flow bodies, the scope outline
// (keyboard access to expand/collapse), a legend, and the retraces with their causes. Ops link
// to the snippet: selecting one marks its line in the editor (onSource), and the editor's line
// highlights its ops (highlightLine), opening the scope or body that holds them. Edges can show
// their tensor types; hovering shows an op's type and line, an input's trace signature. This
// module holds the tab's state, navigation and drawing; graph-panel.js renders the panels.
import { el, clear } from "../../base/dom.js";
import { format, t } from "../../base/i18n.js";
import { buildOpTree, findLine, functionTable, typeText } from "./ops.js";
import { categoryRules } from "./palette.js";
import { warmUp } from "./layout-client.js";
import { isTracedInput, refreshPicker, showBodies, showCrumbs, showLegend, showNote, showOutline, showSelection, showTraces, traceOf, traceSummary } from "./graph-panel.js";

let diagramModule = null;
// cytoscape is large: it loads when the page is idle or the first time a graph is drawn.
export function loadDiagram() {
  diagramModule ??= import("./diagram.js");
  return diagramModule;
}

let warmed = false;
/** Loads the drawing code and starts the layout worker ahead of the first graph. */
export function prefetchGraphView() {
  if (warmed) return;
  warmed = true;
  loadDiagram().then(() => warmUp());
}

// The tab's elements, made once; the state beside them lives in the tab object (newTab).
function toolbarButton(label, title, action) {
  return el("button", { type: "button", class: "pg-btn pg-btn-small", title, "aria-label": title, onclick: action, text: label });
}

function buildToolbar(tab) {
  const { picker, crumbs, find, findList } = tab.ui;
  return el(
    "div",
    { class: "pg-graph-toolbar" },
    el("label", { class: "pg-field" }, el("span", { class: "pg-field-label", text: t("Function") }), picker),
    crumbs,
    el("span", { class: "pg-toolbar-gap" }),
    el(
      "span",
      { class: "pg-toolbar-group" },
      find,
      findList,
      el("label", { class: "pg-field pg-check", title: t("Show each edge's dtype and shape as traced; None marks a dimension known only at run time") }, tab.ui.types, t("Types")),
      toolbarButton(t("Fit"), t("Fit the graph in view (0)"), () => tab.diagram?.fit({ whole: true })),
      toolbarButton("+", t("Zoom in (+)"), () => tab.diagram?.zoomBy(1.25)),
      toolbarButton("−", t("Zoom out (-)"), () => tab.diagram?.zoomBy(0.8)),
    ),
  );
}

function createElements() {
  return {
    picker: el("select", { class: "pg-select", "aria-label": t("Traced function"), "data-role": "function-picker" }),
    crumbs: el("nav", { class: "pg-crumbs", "aria-label": t("Open bodies") }),
    find: el("input", { class: "pg-input pg-find", type: "search", placeholder: t("Find op…"), "aria-label": t("Find an op by name"), list: "" }),
    findList: el("datalist", {}),
    types: el("input", { type: "checkbox", "data-action": "edge-types" }),
    tip: el("div", { class: "pg-graph-tip", role: "tooltip", hidden: true }),
    note: el("p", { class: "pg-notice pg-notice-warn pg-graph-note", hidden: true }),
    canvas: el("div", {
      class: "pg-graph-canvas",
      tabindex: "0",
      role: "img",
      "aria-label": t("Graph view. Arrow keys pan, + and - zoom, 0 fits, Enter opens the selected box."),
    }),
    details: el("section", { class: "pg-side-section", "aria-live": "polite" }),
    bodies: el("section", { class: "pg-side-section" }),
    outline: el("details", { class: "pg-side-section pg-outline" }),
    traces: el("details", { class: "pg-side-section pg-traces", open: true }),
    legend: el("div", { class: "pg-legend" }),
  };
}

function mountElements(tab, parent) {
  const { note, canvas, details, bodies, traces, outline, legend, find, findList, tip } = tab.ui;
  const side = el("aside", { class: "pg-graph-side", "aria-label": t("Graph details") }, details, bodies, traces, outline, legend);
  const stage = el("div", { class: "pg-graph-stage" }, canvas, tip);
  parent.append(el("div", { class: "pg-graph" }, buildToolbar(tab), note, el("div", { class: "pg-graph-body" }, stage, side)));
  findList.id = `pg-find-${Math.random().toString(36).slice(2)}`;
  find.setAttribute("list", findList.id);
}

/** The tab's state: graphs and traces received, the stack of opened bodies, what is drawn. */
function newTab(onSource) {
  const tab = {
    ui: createElements(),
    onSource,
    sourceLine: null, // the editor's line whose ops are highlighted
    graphs: [],
    traceEvents: [],
    stack: [],
    diagram: null,
    tree: null,
    visible: false,
    dirty: false,
    drawing: Promise.resolve(),
    // What the panels' buttons do.
    nav: {
      toggle: (gid) => toggle(tab, gid),
      openBody: (item, body) => openBody(tab, item, body),
      back: (index) => back(tab, index),
    },
  };
  return tab;
}

// Navigation: scopes opened and closed, bodies opened, breadcrumbs back, another function.
async function toggle(tab, gid) {
  if (!tab.diagram) return;
  await tab.diagram.toggle(gid);
  showOutline(tab);
  showSelection(tab, tab.diagram.selected);
}

function bodyLevel(level, name, body) {
  const graph = level.table.get(body.fn);
  if (!graph) return null;
  return { title: `${String(name).split("/").pop()} › ${body.attr}`, graph, table: functionTable(level.table, graph.functions) };
}

function openBody(tab, item, body) {
  const level = bodyLevel(tab.stack[tab.stack.length - 1], item.name, body);
  if (!level) return;
  tab.stack.push(level);
  draw(tab);
}

// The editor's line: its ops in the level shown, else in the shallowest body that has some
// (which then opens), else nothing highlighted.
function highlightLine(tab, line) {
  tab.sourceLine = Number.isInteger(line) ? line : null;
  if (!tab.stack.length) return tab.drawing;
  if (tab.sourceLine === null || lineItems(tab).length) return applyHighlight(tab);
  const root = tab.stack[0];
  const path = findLine(root.graph, root.table, tab.sourceLine);
  if (!path) return applyHighlight(tab);
  const stack = [root];
  for (const { node, body } of path) stack.push(bodyLevel(stack[stack.length - 1], node.name ?? node.id, body));
  tab.stack = stack;
  return draw(tab);
}

function lineItems(tab) {
  if (!tab.tree || tab.sourceLine === null) return [];
  return [...tab.tree.items.values()].filter((item) => item.lines.includes(tab.sourceLine)).map((item) => item.id);
}

function applyHighlight(tab) {
  if (!tab.diagram) return tab.drawing;
  tab.drawing = tab.drawing.then(() => tab.diagram?.highlight(lineItems(tab)));
  return tab.drawing;
}

// The snippet lines of a selected box: an op's own, or every op's in a scope.
function selectionLines(tab, id) {
  if (!id || !tab.tree) return [];
  if (!tab.tree.isGroup(id)) return tab.tree.items.get(id)?.lines || [];
  const lines = new Set();
  const walk = (gid) => {
    for (const child of tab.tree.groups.get(gid).children) {
      if (tab.tree.isGroup(child)) walk(child);
      else for (const line of tab.tree.items.get(child).lines) lines.add(line);
    }
  };
  walk(id);
  return [...lines].slice(0, 50);
}

function back(tab, index) {
  tab.stack = tab.stack.slice(0, index + 1);
  draw(tab);
}

function choose(tab, index) {
  const event = tab.graphs[index];
  if (!event) return;
  tab.stack = [{ title: String(event.function || t("graph")), graph: event, table: functionTable(event.functions) }];
  draw(tab);
}

function findOp(tab) {
  const match = [...(tab.tree?.items.values() || [])].find((item) => item.name === tab.ui.find.value);
  if (match) tab.diagram?.reveal(match.id);
}

// Drawing: the level on top of the stack, once the tab is visible.
function draw(tab) {
  if (!tab.visible) {
    tab.dirty = true;
    return tab.drawing;
  }
  tab.dirty = false;
  const started = performance.now();
  // One drawing at a time; a failed one must not stop the next.
  tab.drawing = tab.drawing.catch(() => {}).then(() => drawLevel(tab, started));
  return tab.drawing;
}

async function drawLevel(tab, started) {
  const { Diagram } = await loadDiagram();
  const loaded = performance.now();
  const level = tab.stack[tab.stack.length - 1];
  if (!level) return;
  tab.diagram?.destroy();
  tab.tree = buildOpTree(level.graph, level.table);
  tab.tree.autoExpand();
  const built = performance.now();
  showNote(tab, level.graph);
  clear(tab.ui.canvas);
  tab.ui.findList.replaceChildren(...[...tab.tree.items.values()].slice(0, 3000).map((item) => el("option", { value: item.name })));
  tab.diagram = new Diagram(tab.ui.canvas, tab.tree, diagramOptions(tab));
  tab.diagram.setEdgeLabels(tab.ui.types.checked);
  showCrumbs(tab);
  showSelection(tab, null);
  showBodies(tab);
  showOutline(tab);
  showLegend(tab);
  await tab.diagram.init({ started, phases: { code: loaded - started, build: built - loaded, panel: performance.now() - built } });
  if (tab.sourceLine !== null) await tab.diagram.highlight(lineItems(tab));
}

function tipLines(tab, hover) {
  if (hover.kind === "edge") {
    if (!hover.label) return [];
    return [hover.label, ...(hover.dynamic ? [t("None: a dimension known only at run time")] : [])];
  }
  if (tab.tree.isGroup(hover.id)) return [];
  const item = tab.tree.items.get(hover.id);
  if (!item) return [];
  const node = item.node;
  const lines = [`${item.op} · ${item.name}`];
  const type = typeText(node.dtype, node.shape);
  if (type) lines.push(type);
  if (item.lines.length) lines.push(format(t("line %(n)s"), { n: item.lines.join(", ") }));
  if (isTracedInput(tab, item)) lines.push(...traceSummary(traceOf(tab)));
  return lines;
}

function showTip(tab, hover) {
  const { tip } = tab.ui;
  const lines = hover && tab.tree ? tipLines(tab, hover) : [];
  tip.hidden = !lines.length;
  if (!lines.length) return;
  tip.replaceChildren(...lines.map((line) => el("div", { text: line })));
  tip.style.left = `${Math.round(hover.x + 14)}px`;
  tip.style.top = `${Math.round(hover.y + 14)}px`;
}

function diagramOptions(tab) {
  return {
    describe: (entry) =>
      entry.isGroup
        ? { label: entry.compound ? entry.label : entry.collapsedLabel }
        : { label: entry.label, classes: `cat-${entry.category}${entry.bodies.length ? " has-body" : ""}`, data: { op: entry.op } },
    extraStyle: () => [...categoryRules(), { selector: "node.has-body", style: { "border-width": 3, shape: "cut-rectangle" } }],
    onSelect: (id) => {
      showSelection(tab, id);
      tab.onSource(selectionLines(tab, id));
    },
    onHover: (hover) => showTip(tab, hover),
    onActivate: (id) => {
      const item = tab.tree.items.get(id);
      if (item?.bodies.length) openBody(tab, item, item.bodies[0]);
    },
  };
}

function resetTab(tab) {
  tab.sourceLine = null;
  tab.ui.tip.hidden = true;
  tab.graphs.length = 0;
  tab.traceEvents.length = 0;
  tab.stack = [];
  tab.diagram?.destroy();
  tab.diagram = null;
  tab.tree = null;
  tab.dirty = false;
  const { picker, canvas, details, bodies, outline, legend, crumbs } = tab.ui;
  for (const node of [picker, canvas, details, bodies, outline, legend, crumbs]) clear(node);
  showTraces(tab);
}

/**
 * The Graph tab in `parent`. onSource(lines) is called with the snippet lines of the box
 * selected ([] when none is).
 */
export function createGraphTab(parent, { onSource = () => {} } = {}) {
  const tab = newTab(onSource);
  mountElements(tab, parent);
  tab.ui.picker.addEventListener("change", () => choose(tab, Number(tab.ui.picker.value)));
  tab.ui.find.addEventListener("change", () => findOp(tab));
  tab.ui.types.addEventListener("change", () => tab.diagram?.setEdgeLabels(tab.ui.types.checked));
  return {
    get diagram() {
      return tab.diagram;
    },
    get drawing() {
      return tab.drawing;
    },
    addGraph(event) {
      tab.graphs.push(event);
      refreshPicker(tab);
      if (tab.graphs.length === 1) choose(tab, 0);
    },
    /** Shows the latest graph of the traced function named `name` (a dataset map's, ...). */
    showFunction(name) {
      let index = -1;
      tab.graphs.forEach((event, i) => {
        if (event.function === name) index = i;
      });
      if (index < 0) return;
      tab.ui.picker.value = String(index);
      choose(tab, index);
    },
    addTrace(event) {
      tab.traceEvents.push(event);
      showTraces(tab);
    },
    /** Called when the tab is shown or resized: draws what arrived while it was hidden. */
    shown() {
      tab.visible = true;
      if (tab.dirty) return draw(tab);
      tab.diagram?.resize();
      return tab.drawing;
    },
    hidden() {
      tab.visible = false;
    },
    /** Highlights the ops the snippet's line `line` made (null: none). */
    highlightLine: (line) => highlightLine(tab, line),
    /** The names of the ops highlighted for the editor's line. */
    highlighted: () => [...(tab.diagram?.sourceIds || [])].map((id) => tab.tree?.items.get(id)?.name).filter(Boolean),
    /** The tensor types the edges drawn show (with Types on). */
    edgeTypes: () => tab.diagram?.cy?.edges(".with-type").map((edge) => edge.data("label")).filter(Boolean) ?? [],
    /** Where the box of the op named `name` is on the page (client coordinates), or null. */
    positionOf(name) {
      const item = [...(tab.tree?.items.values() || [])].find((i) => i.name === name);
      return item ? tab.diagram?.clientPosition(tab.tree.representative(item.id)) ?? null : null;
    },
    reset: () => resetTab(tab),
  };
}
