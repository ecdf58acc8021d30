// The Graph tab's panels around the drawing: the function picker, the breadcrumbs, the note,
// and the side panel (the selected box's details, the control-flow bodies, the scope outline,
// the legend, the retraces with their causes). Navigation is the tab's, through `tab.nav`.
import { el, clear } from "../../base/dom.js";
import { format, t, tn } from "../../base/i18n.js";
import { ROOT } from "./tree.js";
import { categoryLabel, fill, stroke } from "./palette.js";
import { typeText } from "./ops.js";

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

// The function picker.
function pickerLabel(tab, event, index) {
  const same = tab.graphs.slice(0, index + 1).filter((g) => g.function === event.function).length;
  const total = tab.graphs.filter((g) => g.function === event.function).length;
  return total > 1 ? `${event.function} (${format(t("trace %(n)s"), { n: same })})` : String(event.function || t("graph"));
}

export function refreshPicker(tab) {
  const { picker } = tab.ui;
  const current = picker.value;
  clear(picker);
  tab.graphs.forEach((event, index) => picker.append(el("option", { value: String(index), text: pickerLabel(tab, event, index) })));
  picker.value = current || "0";
}

// The side panel: the selected box, the control-flow bodies, the scope outline, the legend.
export function showSelection(tab, id) {
  const { details } = tab.ui;
  clear(details);
  if (!id || !tab.tree) {
    details.append(el("p", { class: "pg-muted", text: t("Select a box to see its details. Double-click a scope to open or close it.") }));
    return;
  }
  if (tab.tree.isGroup(id)) details.append(...groupDetails(tab, id));
  else details.append(...opDetails(tab, tab.tree.items.get(id)));
}

function groupDetails(tab, id) {
  const group = tab.tree.groups.get(id);
  const open = tab.tree.isExpanded(id);
  return [
    el("h4", { text: group.label }),
    el("dl", {}, row(t("scope"), group.scope || group.label), row(t("ops"), group.leafCount)),
    el("button", { type: "button", class: "pg-btn pg-btn-small", "data-action": "toggle-scope", onclick: () => tab.nav.toggle(id), text: open ? t("Collapse") : t("Expand") }),
  ];
}

function opDetails(tab, item) {
  const node = item.node;
  const attrs = node.attrs && typeof node.attrs === "object" ? Object.entries(node.attrs) : [];
  const trace = isTracedInput(tab, item) ? traceOf(tab) : null;
  return [
    el("h4", {}, el("span", { class: "pg-chip", style: { background: fill(item.category), borderColor: stroke(item.category) } }), item.op),
    el("dl", {}, row(t("name"), item.name), row(t("type"), typeText(node.dtype, node.shape) || null), row(t("device"), node.device || "—"),
      item.lines.length ? row(t("line"), item.lines.join(", ")) : null),
    trace ? el("div", { class: "pg-trace-of-input" }, traceSummary(trace).map((line) => el("p", { text: line }))) : null,
    attrs.length ? el("h5", { text: t("Attributes") }) : null,
    attrs.length ? el("dl", { class: "pg-attrs" }, attrs.flatMap(([k, v]) => row(k, v))) : null,
    item.bodies.length ? el("div", { class: "pg-body-buttons" }, item.bodies.map((b) => bodyButton(tab, item, b))) : null,
  ];
}

function bodyButton(tab, item, body) {
  return el("button", {
    type: "button",
    class: "pg-btn pg-btn-small",
    "data-action": "open-body",
    "data-body": body.fn,
    onclick: () => tab.nav.openBody(item, body),
    text: format(t("Open %(attr)s"), { attr: body.attr }),
    title: body.fn,
  });
}

export function showBodies(tab) {
  const { bodies } = tab.ui;
  clear(bodies);
  const items = [...tab.tree.items.values()].filter((item) => item.bodies.length);
  if (!items.length) return;
  const entry = (item) =>
    el(
      "li",
      {},
      el("button", { type: "button", class: "pg-link-btn", onclick: () => tab.diagram?.reveal(item.id), text: `${item.name} (${item.op})` }),
      " ",
      item.bodies.map((b) => bodyButton(tab, item, b)),
    );
  bodies.append(el("h4", { text: t("Control flow") }), el("ul", { class: "pg-body-list" }, items.map(entry)));
}

function scopeGroups(tree, gid) {
  return tree.groups.get(gid).children.filter((c) => tree.isGroup(c));
}

// The outline's list of the scopes inside `gid`, opened ones with their own scopes below.
function outlineList(tab, gid) {
  const { tree } = tab;
  const entry = (child) => {
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
        onclick: () => tab.nav.toggle(child),
        text: `${open ? "▾" : "▸"} ${group.label} (${group.leafCount})`,
      }),
      open ? outlineList(tab, child) : null,
    );
  };
  return el("ul", {}, scopeGroups(tree, gid).map(entry));
}

export function showOutline(tab) {
  const { outline } = tab.ui;
  clear(outline);
  outline.hidden = !scopeGroups(tab.tree, ROOT).length;
  if (outline.hidden) return;
  outline.append(el("summary", { text: t("Name scopes") }), outlineList(tab, ROOT));
}

export function showLegend(tab) {
  const { legend } = tab.ui;
  clear(legend);
  const present = new Set([...tab.tree.items.values()].map((item) => item.category));
  for (const category of present) {
    legend.append(el("span", { class: "pg-legend-item" }, el("span", { class: "pg-chip", style: { background: fill(category), borderColor: stroke(category) } }), categoryLabel(category)));
  }
}

function traceEntry(event) {
  return el(
    "li",
    { class: event.count > 1 ? "pg-retrace" : "" },
    el("strong", { text: `${event.function} #${event.count ?? "?"}` }),
    " ",
    el("span", { text: event.reason || (event.count > 1 ? t("traced again") : t("first trace")) }),
    event.signature ? el("code", { class: "pg-trace-sig", text: text(event.signature) }) : null,
  );
}

export function showTraces(tab) {
  const { traces } = tab.ui;
  const count = tab.traceEvents.length;
  clear(traces);
  traces.hidden = !count;
  if (!count) return;
  traces.append(
    el("summary", { text: format(tn("Traces (%(n)s)", "Traces (%(n)s)", count), { n: count }) }),
    el("ol", { class: "pg-trace-list" }, tab.traceEvents.map(traceEntry)),
  );
}

export function showCrumbs(tab) {
  const { crumbs } = tab.ui;
  clear(crumbs);
  tab.stack.forEach((level, index) => {
    if (index) crumbs.append(el("span", { class: "pg-crumb-sep", "aria-hidden": "true", text: "›" }));
    const last = index === tab.stack.length - 1;
    crumbs.append(
      last
        ? el("span", { class: "pg-crumb", "aria-current": "location", text: level.title })
        : el("button", { type: "button", class: "pg-link-btn pg-crumb", onclick: () => tab.nav.back(index), text: level.title }),
    );
  });
}

export function showNote(tab, graph) {
  const { note } = tab.ui;
  note.hidden = !(graph.note || graph.collapsed);
  note.textContent = graph.note || (graph.collapsed ? t("This graph was too large to send whole: it is shown collapsed by name scope.") : "");
}

// The trace event that made the graph shown at the top of the stack, if any.
export function traceOf(tab) {
  const graph = tab.stack[0]?.graph;
  if (!graph || !Number.isInteger(graph.count)) return null;
  return tab.traceEvents.find((e) => e.function === graph.function && e.count === graph.count) || null;
}

const INPUT_OPS = new Set(["Placeholder", "_Arg"]);

/** Whether an op is an input of the traced function shown (what its trace signature is about). */
export function isTracedInput(tab, item) {
  return tab.stack.length === 1 && INPUT_OPS.has(item.op) && Boolean(traceOf(tab));
}

/** What the trace of the graph shown was made for, and for a retrace what changed. */
export function traceSummary(trace) {
  const lines = [format(t("Traced for %(signature)s"), { signature: trace.signature || "()" })];
  if (trace.count > 1) lines.push(format(t("Trace %(n)s: %(reason)s"), { n: trace.count, reason: trace.reason || t("traced again") }));
  return lines;
}
