// The Graph tab: a picker of the traced functions, the graph of the chosen one (name scopes as
// collapsible boxes, control-flow bodies openable from their op, with breadcrumbs back), a side
// panel with the selected op's details, the list of control-flow bodies, the scope outline
// (keyboard access to expand/collapse), a legend, and the retraces with their causes. This
// module holds the tab's state, navigation and drawing; graph-panel.js renders the panels.
import { el, clear } from "../../base/dom.js";
import { t } from "../../base/i18n.js";
import { buildOpTree, functionTable } from "./ops.js";
import { categoryRules } from "./palette.js";
import { warmUp } from "./layout-client.js";
import { refreshPicker, showBodies, showCrumbs, showLegend, showNote, showOutline, showSelection, showTraces } from "./graph-panel.js";

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
  const { note, canvas, details, bodies, traces, outline, legend, find, findList } = tab.ui;
  const side = el("aside", { class: "pg-graph-side", "aria-label": t("Graph details") }, details, bodies, traces, outline, legend);
  parent.append(el("div", { class: "pg-graph" }, buildToolbar(tab), note, el("div", { class: "pg-graph-body" }, canvas, side)));
  findList.id = `pg-find-${Math.random().toString(36).slice(2)}`;
  find.setAttribute("list", findList.id);
}

/** The tab's state: graphs and traces received, the stack of opened bodies, what is drawn. */
function newTab() {
  const tab = {
    ui: createElements(),
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

function openBody(tab, item, body) {
  const level = tab.stack[tab.stack.length - 1];
  const graph = level.table.get(body.fn);
  if (!graph) return;
  tab.stack.push({ title: `${item.name.split("/").pop()} › ${body.attr}`, graph, table: functionTable(level.table, graph.functions) });
  draw(tab);
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
  showCrumbs(tab);
  showSelection(tab, null);
  showBodies(tab);
  showOutline(tab);
  showLegend(tab);
  await tab.diagram.init({ started, phases: { code: loaded - started, build: built - loaded, panel: performance.now() - built } });
}

function diagramOptions(tab) {
  return {
    describe: (entry) =>
      entry.isGroup
        ? { label: entry.compound ? entry.label : entry.collapsedLabel }
        : { label: entry.label, classes: `cat-${entry.category}${entry.bodies.length ? " has-body" : ""}`, data: { op: entry.op } },
    extraStyle: () => [...categoryRules(), { selector: "node.has-body", style: { "border-width": 3, shape: "cut-rectangle" } }],
    onSelect: (id) => showSelection(tab, id),
    onActivate: (id) => {
      const item = tab.tree.items.get(id);
      if (item?.bodies.length) openBody(tab, item, item.bodies[0]);
    },
  };
}

function resetTab(tab) {
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

export function createGraphTab(parent) {
  const tab = newTab();
  mountElements(tab, parent);
  tab.ui.picker.addEventListener("change", () => choose(tab, Number(tab.ui.picker.value)));
  tab.ui.find.addEventListener("change", () => findOp(tab));
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
    reset: () => resetTab(tab),
  };
}
