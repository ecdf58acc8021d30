// The Model tab: each Keras model the run built, as a diagram (layers as boxes with output
// shape and parameter count, Functional connections drawn, sublayers of subclassed models
// nested inside their layer) and as a table for reading and screen readers.
import { el, clear } from "../base/dom.js";
import { format, number, t, tn } from "../base/i18n.js";
import { ROOT, Tree } from "./graph/tree.js";
import { boxSize } from "./graph/ops.js";
import { categoryRules } from "./graph/palette.js";
import { loadDiagram } from "./graph/graph-tab.js";

function shapeText(shape) {
  if (shape == null) return "?";
  if (typeof shape === "string") return shape;
  return JSON.stringify(shape).replace(/null/g, "None").replace(/,/g, ", ");
}

// Inbound references come as names, [name, node, tensor] triples, or lists of those.
function inboundNames(inbound) {
  const names = [];
  const visit = (value) => {
    if (typeof value === "string") names.push(value);
    else if (Array.isArray(value)) {
      if (value.length && typeof value[0] === "string" && value.slice(1).every((v) => typeof v === "number")) names.push(value[0]);
      else value.forEach(visit);
    } else if (value && typeof value === "object") visit(value.layer ?? value.name ?? value.inbound ?? null);
  };
  visit(inbound);
  return names;
}

// Layers with sublayers become groups, the others leaves; `top` maps the top level's names to
// their ids, `byName` every name to its first id.
function collectLayers(model) {
  const found = { leaves: [], groups: [], byName: new Map(), top: null };
  const walk = (layers, parent, prefix) => {
    const local = new Map();
    for (const layer of layers) {
      const id = `${prefix}/${layer.name}`;
      local.set(layer.name, id);
      if (!found.byName.has(layer.name)) found.byName.set(layer.name, id);
      const params = format(tn("%(n)s param", "%(n)s params", layer.params ?? 0), { n: number(layer.params ?? 0) });
      const lines = [`${layer.name} (${layer.class || "?"})`, shapeText(layer.output_shape), params];
      if (Array.isArray(layer.layers) && layer.layers.length) {
        found.groups.push({ id: `g:${id}`, parent, label: `${layer.name} (${layer.class || "?"}) · ${params}`, layer, lines });
        walk(layer.layers, `g:${id}`, id);
        local.set(layer.name, `g:${id}`);
      } else {
        found.leaves.push({ id, parent, layer, label: lines.join("\n"), size: boxSize(lines, { min: 120, max: 300 }) });
      }
    }
    return local;
  };
  found.top = walk(Array.isArray(model.layers) ? model.layers : [], ROOT, "");
  return found;
}

// Edges from each layer's inbound layers; a Sequential model without them is chained in order.
function layerEdges(model, { leaves, byName, top }) {
  const edges = [];
  const firstLeaf = (id) => {
    if (!id?.startsWith("g:")) return id;
    const child = leaves.find((leaf) => leaf.id.startsWith(`${id.slice(2)}/`));
    return child?.id;
  };
  for (const leaf of leaves) {
    for (const name of inboundNames(leaf.layer.inbound)) {
      const source = firstLeaf(top.get(name) ?? byName.get(name));
      if (source && source !== leaf.id) edges.push({ source, target: leaf.id });
    }
  }
  const sequential = /sequential/i.test(`${model.kind || ""} ${model.class || ""}`);
  if (!edges.length && sequential) {
    const ordered = leaves.filter((leaf) => leaf.parent === ROOT);
    for (let i = 1; i < ordered.length; i++) edges.push({ source: ordered[i - 1].id, target: ordered[i].id });
  }
  return edges;
}

function buildModelTree(model) {
  const layers = collectLayers(model);
  const tree = new Tree({ leaves: layers.leaves, groups: layers.groups, edges: layerEdges(model, layers), maxChildren: 200 });
  for (const group of tree.groups.values()) {
    if (!tree.interior.get(group.id)?.length && group.children.length > 1) group.chain = true;
    if (group.id === ROOT) continue;
    const count = format(tn("%(n)s layer", "%(n)s layers", group.leafCount), { n: group.leafCount });
    group.collapsedLabel = [...group.lines, count].join("\n");
    group.size = boxSize([...group.lines, count], { min: 140, max: 300 });
  }
  tree.autoExpand(400);
  return tree;
}

function layerTable(model) {
  const rows = [];
  const walk = (layers, depth) => {
    for (const layer of layers) {
      rows.push(
        el(
          "tr",
          {},
          el("td", { style: { paddingLeft: `${depth * 16 + 4}px` } }, layer.name),
          el("td", {}, layer.class || ""),
          el("td", {}, el("code", { text: shapeText(layer.output_shape) })),
          el("td", { class: "pg-num" }, number(layer.params ?? 0)),
        ),
      );
      if (Array.isArray(layer.layers)) walk(layer.layers, depth + 1);
    }
  };
  walk(model.layers || [], 0);
  return el(
    "table",
    { class: "pg-table" },
    el("thead", {}, el("tr", {}, el("th", { text: t("Layer") }), el("th", { text: t("Class") }), el("th", { text: t("Output shape") }), el("th", { class: "pg-num", text: t("Params") }))),
    el("tbody", {}, rows),
  );
}

/** The tab's state: its elements, the models received, which one is shown, what is drawn. */
function newTab(parent) {
  const tab = {
    picker: el("select", { class: "pg-select", "aria-label": t("Model"), hidden: true }),
    summary: el("p", { class: "pg-model-summary" }),
    note: el("p", { class: "pg-muted", hidden: true }),
    canvas: el("div", { class: "pg-model-canvas", tabindex: "0", role: "img", "aria-label": t("Model diagram. Arrow keys pan, + and - zoom, 0 fits.") }),
    table: el("details", { class: "pg-model-table" }),
    models: new Map(),
    current: null,
    diagram: null,
    visible: false,
    dirty: false,
    drawing: Promise.resolve(),
  };
  parent.append(el("div", { class: "pg-graph-toolbar" }, tab.picker, tab.summary), tab.note, tab.canvas, tab.table);
  return tab;
}

function draw(tab) {
  if (!tab.visible) {
    tab.dirty = true;
    return tab.drawing;
  }
  tab.dirty = false;
  const model = tab.models.get(tab.current);
  tab.drawing = tab.drawing.catch(() => {}).then(() => drawModel(tab, model));
  return tab.drawing;
}

async function drawModel(tab, model) {
  const { Diagram } = await loadDiagram();
  tab.diagram?.destroy();
  clear(tab.canvas);
  if (!model) return;
  showModelText(tab, model);
  tab.diagram = new Diagram(tab.canvas, buildModelTree(model), {
    describe: (entry) => (entry.isGroup ? { label: entry.compound ? entry.label : entry.collapsedLabel, classes: "cat-model" } : { label: entry.label, classes: "cat-layer" }),
    extraStyle: categoryRules,
  });
  await tab.diagram.init();
}

// The summary line, the note on subclassed models, and the layer table.
function showModelText(tab, model) {
  const total = format(t("%(n)s parameters in all"), { n: number(model.total_params ?? 0) });
  tab.summary.replaceChildren(el("strong", { text: model.name || t("model") }), ` (${model.class || model.kind || "?"}) — ${total}`);
  tab.note.hidden = !/subclass/i.test(model.kind || "");
  tab.note.textContent = t("A subclassed model connects its layers in call(), which Keras does not record: its layers are shown in the order they were created.");
  tab.table.replaceChildren(el("summary", { text: t("Layers as a table") }), layerTable(model));
}

function addModel(tab, event) {
  const { picker, models } = tab;
  const key = event.name || `model ${models.size + 1}`;
  models.set(key, event);
  clear(picker);
  for (const name of models.keys()) picker.append(el("option", { value: name, text: name }));
  picker.hidden = models.size < 2;
  if (tab.current === null || tab.current === key) {
    tab.current = key;
    draw(tab);
  }
  picker.value = tab.current;
}

function resetTab(tab) {
  tab.models.clear();
  tab.current = null;
  tab.diagram?.destroy();
  tab.diagram = null;
  tab.dirty = false;
  clear(tab.canvas);
  clear(tab.picker);
  clear(tab.table);
  tab.summary.textContent = "";
}

export function createModelTab(parent) {
  const tab = newTab(parent);
  tab.picker.addEventListener("change", () => {
    tab.current = tab.picker.value;
    draw(tab);
  });
  return {
    get drawing() {
      return tab.drawing;
    },
    add: (event) => addModel(tab, event),
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
