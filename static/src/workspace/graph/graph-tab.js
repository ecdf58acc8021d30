// The Graph tab: a picker of the traced functions, the graph of the chosen one (name scopes as
// collapsible boxes, control-flow bodies openable from their op, with breadcrumbs back), a side
// panel with the selected op's details, the list of control-flow bodies, the scope outline
// (keyboard access to expand/collapse), a legend, and the retraces with their causes.
import { el, clear } from "../../base/dom.js";
import { format, t, tn } from "../../base/i18n.js";
import { ROOT } from "./tree.js";
import { buildOpTree, functionTable } from "./ops.js";
import { categoryLabel, categoryRules, fill, stroke } from "./palette.js";
import { warmUp } from "./layout-client.js";

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

function text(value) {
  if (value == null) return "—";
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== "object")) {
    return `[${value.map((v) => (v === null ? "?" : String(v))).join(", ")}]`;
  }
  const json = JSON.stringify(value);
  return json.length > 400 ? `${json.slice(0, 399)}…` : json;
}

function row(term, value) {
  return [el("dt", { text: term }), el("dd", {}, el("code", { text: text(value) }))];
}

export function createGraphTab(parent) {
  const picker = el("select", { class: "pg-select", "aria-label": t("Traced function"), "data-role": "function-picker" });
  const crumbs = el("nav", { class: "pg-crumbs", "aria-label": t("Open bodies") });
  const find = el("input", { class: "pg-input pg-find", type: "search", placeholder: t("Find op…"), "aria-label": t("Find an op by name"), list: "" });
  const findList = el("datalist", {});
  const button = (label, title, action) => el("button", { type: "button", class: "pg-btn pg-btn-small", title, "aria-label": title, onclick: action, text: label });
  const toolbar = el(
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
      button(t("Fit"), t("Fit the graph in view (0)"), () => diagram?.fit({ whole: true })),
      button("+", t("Zoom in (+)"), () => diagram?.zoomBy(1.25)),
      button("−", t("Zoom out (-)"), () => diagram?.zoomBy(0.8)),
    ),
  );
  const note = el("p", { class: "pg-notice pg-notice-warn pg-graph-note", hidden: true });
  const canvas = el("div", {
    class: "pg-graph-canvas",
    tabindex: "0",
    role: "img",
    "aria-label": t("Graph view. Arrow keys pan, + and - zoom, 0 fits, Enter opens the selected box."),
  });
  const details = el("section", { class: "pg-side-section", "aria-live": "polite" });
  const bodies = el("section", { class: "pg-side-section" });
  const outline = el("details", { class: "pg-side-section pg-outline" });
  const traces = el("details", { class: "pg-side-section pg-traces", open: true });
  const legend = el("div", { class: "pg-legend" });
  const side = el("aside", { class: "pg-graph-side", "aria-label": t("Graph details") }, details, bodies, traces, outline, legend);
  const wrap = el("div", { class: "pg-graph" }, toolbar, note, el("div", { class: "pg-graph-body" }, canvas, side));
  parent.append(wrap);
  findList.id = `pg-find-${Math.random().toString(36).slice(2)}`;
  find.setAttribute("list", findList.id);

  const graphs = [];
  const traceEvents = [];
  let stack = [];
  let diagram = null;
  let tree = null;
  let visible = false;
  let dirty = false;
  let drawing = Promise.resolve();

  function label(event, index) {
    const same = graphs.slice(0, index + 1).filter((g) => g.function === event.function).length;
    const total = graphs.filter((g) => g.function === event.function).length;
    return total > 1 ? `${event.function} (${format(t("trace %(n)s"), { n: same })})` : String(event.function || t("graph"));
  }

  function refreshPicker() {
    const current = picker.value;
    clear(picker);
    graphs.forEach((event, index) => picker.append(el("option", { value: String(index), text: label(event, index) })));
    picker.value = current || "0";
  }

  function showSelection(id) {
    clear(details);
    if (!id || !tree) {
      details.append(el("p", { class: "pg-muted", text: t("Select a box to see its details. Double-click a scope to open or close it.") }));
      return;
    }
    if (tree.isGroup(id)) {
      const group = tree.groups.get(id);
      const open = tree.isExpanded(id);
      details.append(
        el("h4", { text: group.label }),
        el("dl", {}, row(t("scope"), group.scope || group.label), row(t("ops"), group.leafCount)),
        el("button", { type: "button", class: "pg-btn pg-btn-small", "data-action": "toggle-scope", onclick: () => toggle(id), text: open ? t("Collapse") : t("Expand") }),
      );
      return;
    }
    const item = tree.items.get(id);
    const node = item.node;
    const attrs = node.attrs && typeof node.attrs === "object" ? Object.entries(node.attrs) : [];
    details.append(
      el("h4", {}, el("span", { class: "pg-chip", style: { background: fill(item.category), borderColor: stroke(item.category) } }), item.op),
      el("dl", {}, row(t("name"), item.name), row(t("dtype"), node.dtype), row(t("shape"), node.shape), row(t("device"), node.device || "—")),
      attrs.length ? el("h5", { text: t("Attributes") }) : null,
      attrs.length ? el("dl", { class: "pg-attrs" }, attrs.flatMap(([k, v]) => row(k, v))) : null,
      item.bodies.length ? el("div", { class: "pg-body-buttons" }, item.bodies.map((b) => bodyButton(item, b))) : null,
    );
  }

  function bodyButton(item, body) {
    return el("button", {
      type: "button",
      class: "pg-btn pg-btn-small",
      "data-action": "open-body",
      "data-body": body.fn,
      onclick: () => openBody(item, body),
      text: format(t("Open %(attr)s"), { attr: body.attr }),
      title: body.fn,
    });
  }

  function showBodies() {
    clear(bodies);
    const items = [...tree.items.values()].filter((item) => item.bodies.length);
    if (!items.length) return;
    bodies.append(
      el("h4", { text: t("Control flow") }),
      el(
        "ul",
        { class: "pg-body-list" },
        items.map((item) =>
          el(
            "li",
            {},
            el("button", { type: "button", class: "pg-link-btn", onclick: () => diagram?.reveal(item.id), text: `${item.name} (${item.op})` }),
            " ",
            item.bodies.map((b) => bodyButton(item, b)),
          ),
        ),
      ),
    );
  }

  function showOutline() {
    clear(outline);
    const groups = tree.groups.get(ROOT).children.filter((c) => tree.isGroup(c));
    if (!groups.length) {
      outline.hidden = true;
      return;
    }
    outline.hidden = false;
    const list = (gid) =>
      el(
        "ul",
        {},
        tree.groups.get(gid).children.filter((c) => tree.isGroup(c)).map((child) => {
          const group = tree.groups.get(child);
          const open = tree.isExpanded(child);
          return el(
            "li",
            {},
            el("button", {
              type: "button",
              class: "pg-link-btn",
              "aria-expanded": String(open),
              "data-scope": child,
              onclick: () => toggle(child),
              text: `${open ? "▾" : "▸"} ${group.label} (${group.leafCount})`,
            }),
            open ? list(child) : null,
          );
        }),
      );
    outline.append(el("summary", { text: t("Name scopes") }), list(ROOT));
  }

  function showLegend() {
    clear(legend);
    const present = new Set([...tree.items.values()].map((item) => item.category));
    for (const category of present) {
      legend.append(el("span", { class: "pg-legend-item" }, el("span", { class: "pg-chip", style: { background: fill(category), borderColor: stroke(category) } }), categoryLabel(category)));
    }
  }

  function showTraces() {
    clear(traces);
    traces.hidden = !traceEvents.length;
    if (!traceEvents.length) return;
    traces.append(
      el("summary", { text: format(tn("Traces (%(n)s)", "Traces (%(n)s)", traceEvents.length), { n: traceEvents.length }) }),
      el(
        "ol",
        { class: "pg-trace-list" },
        traceEvents.map((event) =>
          el(
            "li",
            { class: event.count > 1 ? "pg-retrace" : "" },
            el("strong", { text: `${event.function} #${event.count ?? "?"}` }),
            " ",
            el("span", { text: event.reason || (event.count > 1 ? t("traced again") : t("first trace")) }),
            event.signature ? el("code", { class: "pg-trace-sig", text: text(event.signature) }) : null,
          ),
        ),
      ),
    );
  }

  function showCrumbs() {
    clear(crumbs);
    stack.forEach((level, index) => {
      if (index) crumbs.append(el("span", { class: "pg-crumb-sep", "aria-hidden": "true", text: "›" }));
      const last = index === stack.length - 1;
      crumbs.append(
        last
          ? el("span", { class: "pg-crumb", "aria-current": "location", text: level.title })
          : el("button", { type: "button", class: "pg-link-btn pg-crumb", onclick: () => back(index), text: level.title }),
      );
    });
  }

  async function toggle(gid) {
    if (!diagram) return;
    await diagram.toggle(gid);
    showOutline();
    showSelection(diagram.selected);
  }

  function openBody(item, body) {
    const level = stack[stack.length - 1];
    const graph = level.table.get(body.fn);
    if (!graph) return;
    stack.push({ title: `${item.name.split("/").pop()} › ${body.attr}`, graph, table: functionTable(level.table, graph.functions) });
    draw();
  }

  function back(index) {
    stack = stack.slice(0, index + 1);
    draw();
  }

  function choose(index) {
    const event = graphs[index];
    if (!event) return;
    stack = [{ title: String(event.function || t("graph")), graph: event, table: functionTable(event.functions) }];
    draw();
  }

  function draw() {
    if (!visible) {
      dirty = true;
      return drawing;
    }
    dirty = false;
    const started = performance.now();
    // One drawing at a time; a failed one must not stop the next.
    drawing = drawing.catch(() => {}).then(async () => {
      const { Diagram } = await loadDiagram();
      const loaded = performance.now();
      const level = stack[stack.length - 1];
      if (!level) return;
      diagram?.destroy();
      tree = buildOpTree(level.graph, level.table);
      tree.autoExpand();
      const built = performance.now();
      note.hidden = !(level.graph.note || level.graph.collapsed);
      note.textContent = level.graph.note || (level.graph.collapsed ? t("This graph was too large to send whole: it is shown collapsed by name scope.") : "");
      clear(canvas);
      findList.replaceChildren(...[...tree.items.values()].slice(0, 3000).map((item) => el("option", { value: item.name })));
      diagram = new Diagram(canvas, tree, {
        describe: (entry) =>
          entry.isGroup
            ? { label: entry.compound ? entry.label : entry.collapsedLabel }
            : { label: entry.label, classes: `cat-${entry.category}${entry.bodies.length ? " has-body" : ""}`, data: { op: entry.op } },
        extraStyle: () => [...categoryRules(), { selector: "node.has-body", style: { "border-width": 3, shape: "cut-rectangle" } }],
        onSelect: showSelection,
        onActivate: (id) => {
          const item = tree.items.get(id);
          if (item?.bodies.length) openBody(item, item.bodies[0]);
        },
      });
      showCrumbs();
      showSelection(null);
      showBodies();
      showOutline();
      showLegend();
      await diagram.init({ started, phases: { code: loaded - started, build: built - loaded, panel: performance.now() - built } });
    });
    return drawing;
  }

  picker.addEventListener("change", () => choose(Number(picker.value)));
  find.addEventListener("change", () => {
    const match = [...(tree?.items.values() || [])].find((item) => item.name === find.value);
    if (match) diagram?.reveal(match.id);
  });

  return {
    get diagram() {
      return diagram;
    },
    get drawing() {
      return drawing;
    },
    addGraph(event) {
      graphs.push(event);
      refreshPicker();
      if (graphs.length === 1) choose(0);
    },
    addTrace(event) {
      traceEvents.push(event);
      showTraces();
    },
    /** Called when the tab is shown or resized: draws what arrived while it was hidden. */
    shown() {
      visible = true;
      if (dirty) return draw();
      diagram?.resize();
      return drawing;
    },
    hidden() {
      visible = false;
    },
    reset() {
      graphs.length = 0;
      traceEvents.length = 0;
      stack = [];
      diagram?.destroy();
      diagram = null;
      tree = null;
      dirty = false;
      clear(picker);
      clear(canvas);
      clear(details);
      clear(bodies);
      clear(outline);
      clear(legend);
      clear(crumbs);
      showTraces();
    },
  };
}
