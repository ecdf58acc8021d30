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

function buildModelTree(model) {
  const leaves = [];
  const groups = [];
  const edges = [];
  const byName = new Map();
  const walk = (layers, parent, prefix) => {
    const local = new Map();
    for (const layer of layers) {
      const id = `${prefix}/${layer.name}`;
      local.set(layer.name, id);
      if (!byName.has(layer.name)) byName.set(layer.name, id);
      const params = format(tn("%(n)s param", "%(n)s params", layer.params ?? 0), { n: number(layer.params ?? 0) });
      const lines = [`${layer.name} (${layer.class || "?"})`, shapeText(layer.output_shape), params];
      if (Array.isArray(layer.layers) && layer.layers.length) {
        groups.push({ id: `g:${id}`, parent, label: `${layer.name} (${layer.class || "?"}) · ${params}`, layer, lines });
        walk(layer.layers, `g:${id}`, id);
        local.set(layer.name, `g:${id}`);
      } else {
        leaves.push({ id, parent, layer, label: lines.join("\n"), size: boxSize(lines, { min: 120, max: 300 }) });
      }
    }
    return local;
  };
  const top = walk(Array.isArray(model.layers) ? model.layers : [], ROOT, "");
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
  const tree = new Tree({ leaves, groups, edges, maxChildren: 200 });
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

export function createModelTab(parent) {
  const picker = el("select", { class: "pg-select", "aria-label": t("Model"), hidden: true });
  const summary = el("p", { class: "pg-model-summary" });
  const note = el("p", { class: "pg-muted", hidden: true });
  const canvas = el("div", { class: "pg-model-canvas", tabindex: "0", role: "img", "aria-label": t("Model diagram. Arrow keys pan, + and - zoom, 0 fits.") });
  const table = el("details", { class: "pg-model-table" });
  parent.append(el("div", { class: "pg-graph-toolbar" }, picker, summary), note, canvas, table);

  const models = new Map();
  let current = null;
  let diagram = null;
  let visible = false;
  let dirty = false;
  let drawing = Promise.resolve();

  function draw() {
    if (!visible) {
      dirty = true;
      return drawing;
    }
    dirty = false;
    const model = models.get(current);
    drawing = drawing.catch(() => {}).then(async () => {
      const { Diagram } = await loadDiagram();
      diagram?.destroy();
      clear(canvas);
      if (!model) return;
      const total = format(t("%(n)s parameters in all"), { n: number(model.total_params ?? 0) });
      summary.replaceChildren(el("strong", { text: model.name || t("model") }), ` (${model.class || model.kind || "?"}) — ${total}`);
      const subclassed = /subclass/i.test(model.kind || "");
      note.hidden = !subclassed;
      note.textContent = t("A subclassed model connects its layers in call(), which Keras does not record: its layers are shown in the order they were created.");
      table.replaceChildren(el("summary", { text: t("Layers as a table") }), layerTable(model));
      const tree = buildModelTree(model);
      diagram = new Diagram(canvas, tree, {
        describe: (entry) => (entry.isGroup ? { label: entry.compound ? entry.label : entry.collapsedLabel, classes: "cat-model" } : { label: entry.label, classes: "cat-layer" }),
        extraStyle: categoryRules,
      });
      await diagram.init();
    });
    return drawing;
  }

  picker.addEventListener("change", () => {
    current = picker.value;
    draw();
  });

  return {
    get drawing() {
      return drawing;
    },
    add(event) {
      const key = event.name || `model ${models.size + 1}`;
      models.set(key, event);
      clear(picker);
      for (const name of models.keys()) picker.append(el("option", { value: name, text: name }));
      picker.hidden = models.size < 2;
      if (current === null || current === key) {
        current = key;
        draw();
      }
      picker.value = current;
    },
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
      models.clear();
      current = null;
      diagram?.destroy();
      diagram = null;
      dirty = false;
      clear(canvas);
      clear(picker);
      clear(table);
      summary.textContent = "";
    },
  };
}
