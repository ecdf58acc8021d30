// The parts of the Data tab, each built from one kind of event: a pipeline's chain of stages
// (`dataset`), its first elements (`dataset_preview`), the throughput of its iterations
// (`dataset_stats`) and before/after grids (`augment`). Everything is text or a canvas.
import { el } from "../base/dom.js";
import { format, number, t } from "../base/i18n.js";
import { thumbCanvas } from "./thumbs.js";

const VALUES_SHOWN = 8;

export function lineButton(line, onLine) {
  if (!Number.isInteger(line)) return null;
  return el("button", { type: "button", class: "pg-link-btn pg-data-line", "data-line": String(line), onclick: () => onLine(line), text: format(t("line %(n)s"), { n: line }) });
}

function argText(value) {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

function stageBox(stage, { onLine, onGraph }) {
  const args = Object.entries(stage.args || {}).map(([key, value]) => el("span", { class: "pg-data-arg", "data-arg": key }, el("span", { class: "pg-muted", text: `${key}=` }), argText(value)));
  const graph = stage.function ? el("button", { type: "button", class: "pg-link-btn", "data-graph": stage.function, onclick: () => onGraph(stage.function), text: t("Open its graph") }) : null;
  return el(
    "li",
    { class: "pg-data-stage", "data-stage-kind": String(stage.kind || ""), "data-stage-op": String(stage.op || "") },
    el("div", { class: "pg-data-stage-head" }, el("span", { class: `pg-data-kind pg-data-kind-${String(stage.kind || "other").replace(/[^a-z_]/g, "")}`, text: String(stage.kind || "") }), stage.op && stage.op !== stage.kind ? el("code", { text: String(stage.op) }) : null, args, lineButton(stage.line, onLine), graph),
    el("code", { class: "pg-data-spec", "data-spec": "", title: t("element_spec after this stage"), text: String(stage.spec_text || "") }),
    stage.note ? el("p", { class: "pg-muted", text: String(stage.note) }) : null,
  );
}

const CONSUMERS = {
  for: () => t("iterated by a Python loop"),
  distributed: () => t("iterated as a distributed dataset"),
  fit: () => t("read by fit()"),
  validation: () => t("read by fit() for validation"),
  evaluate: () => t("read by evaluate()"),
  predict: () => t("read by predict()"),
};

export function consumerText(consumer) {
  return (CONSUMERS[consumer] || (() => String(consumer || "")))();
}

/** The header and chain of one pipeline. */
export function pipelineHead(event, handlers) {
  const stages = Array.isArray(event.stages) ? event.stages : [];
  const path = stages.map((s) => String(s.op || s.kind || "?")).join(" → ");
  return [
    el("h4", { class: "pg-data-title" }, format(t("Pipeline %(n)s"), { n: event.id }), el("span", { class: "pg-muted", text: ` · ${consumerText(event.consumer)}` }), lineButton(event.line, handlers.onLine)),
    el("p", { class: "pg-data-path", text: path }),
    el("ol", { class: "pg-data-stages" }, stages.map((stage) => stageBox(stage, handlers))),
  ];
}

function rate(value, unit) {
  if (!Number.isFinite(value)) return "—";
  return `${number(value >= 100 ? Math.round(value) : Number(value.toPrecision(3)))} ${unit}`;
}

function ms(value) {
  return Number.isFinite(value) ? `${number(Number(value.toPrecision(3)))} ms` : "—";
}

/** The headline of a pipeline's throughput: its last iteration's figures. */
export function throughputLine(stats, batched) {
  if (!stats) return t("Not iterated yet.");
  const parts = [];
  if (Number.isFinite(stats.examples_per_second)) parts.push(rate(stats.examples_per_second, t("examples/s")));
  parts.push(rate(stats.per_second, batched ? t("batches/s") : t("elements/s")));
  parts.push(format(batched ? t("%(t)s per batch") : t("%(t)s per element"), { t: ms(stats.ms_per_element) }));
  return parts.join(" · ");
}

/** One row per iteration (a loop, an epoch): what it took and how fast. */
export function statsTable(iterations, batched) {
  const rows = [...iterations.values()].map((s) =>
    el(
      "tr",
      { "data-iteration": String(s.iteration ?? ""), "data-final": s.final ? "true" : "false" },
      el("td", { text: String(s.iteration ?? "") }),
      el("td", { text: consumerText(s.consumer) }),
      el("td", { class: "pg-num", text: number(s.elements ?? 0) }),
      el("td", { class: "pg-num", text: Number.isFinite(s.examples) ? number(s.examples) : "—" }),
      el("td", { class: "pg-num", text: rate(s.per_second, "/s") }),
      el("td", { class: "pg-num", text: ms(s.ms_per_element) }),
      el("td", { class: "pg-num", text: ms(s.wait_ms) }),
      el("td", { class: "pg-num", text: ms(s.first_ms) }),
    ),
  );
  const head = [t("Pass"), t("Read by"), batched ? t("Batches") : t("Elements"), t("Examples"), t("Per second"), batched ? t("Per batch") : t("Per element"), t("Waiting in next()"), t("First element")];
  return el("table", { class: "pg-table pg-data-stats" }, el("thead", {}, el("tr", {}, head.map((h, i) => el("th", { class: i > 1 ? "pg-num" : "", text: h })))), el("tbody", {}, rows));
}

function numbers(values) {
  const shown = values.slice(0, VALUES_SHOWN).map((v) => (v === null ? "NaN" : typeof v === "number" ? Number(v.toPrecision(4)) : String(v)));
  return `[${shown.join(", ")}${values.length > VALUES_SHOWN ? ", …" : ""}]`;
}

function leafCell(leaf) {
  if (leaf.image) return el("td", { class: "pg-data-image" }, thumbCanvas(leaf.image, leaf.path));
  if ("value" in leaf) return el("td", { class: "pg-num", text: leaf.value === null ? "NaN" : String(typeof leaf.value === "number" ? Number(leaf.value.toPrecision(6)) : leaf.value) });
  if (Array.isArray(leaf.values)) return el("td", { class: "pg-mono", text: numbers(leaf.values) });
  if ("min" in leaf) return el("td", { class: "pg-mono", text: format(t("%(min)s … %(max)s, mean %(mean)s"), { min: String(leaf.min), max: String(leaf.max), mean: leaf.mean === null || leaf.mean === undefined ? "—" : Number(leaf.mean).toPrecision(3) }) });
  return el("td", { class: "pg-mono", text: String(leaf.text ?? (leaf.image_omitted ? t("(picture left out)") : "")) });
}

function leafHead(leaf) {
  const shape = Array.isArray(leaf.shape) ? `[${leaf.shape.join(",")}]` : "";
  return el("th", {}, el("span", { text: leaf.path ? String(leaf.path) : t("element") }), el("span", { class: "pg-muted", text: ` ${leaf.dtype || ""}${shape}` }));
}

/** The first elements as a table: a row each (a batch's first rows), a column per component. */
export function previewTable(event) {
  const rows = Array.isArray(event.elements) ? event.elements.filter(Array.isArray) : [];
  const first = rows[0] || [];
  const caption = event.batched ? t("The first rows of the first batch") : t("The first elements");
  return [
    el("p", { class: "pg-muted", text: event.source === "sampled" ? `${caption} — ${String(event.note || "")}` : caption }),
    event.source !== "sampled" && event.note ? el("p", { class: "pg-muted", text: String(event.note) }) : null,
    el("table", { class: "pg-table pg-data-preview", "data-source": String(event.source || "") }, el("thead", {}, el("tr", {}, el("th", { text: "#" }), first.map(leafHead))), el("tbody", {}, rows.map((row, i) => el("tr", {}, el("td", { class: "pg-num", text: String(i) }), row.map(leafCell))))),
  ];
}

const GRID_KINDS = {
  layer: () => t("an augmentation layer called on images"),
  map: () => t("a map over images"),
  model: () => t("the augmentation layers the model starts with, in training mode"),
};

/** Before/after pictures of an augmentation. */
export function augmentGrid(event, onLine) {
  const samples = Array.isArray(event.samples) ? event.samples : [];
  return el(
    "figure",
    { class: "pg-data-augment", "data-augment": String(event.kind || "") },
    el("figcaption", {}, el("strong", { text: String(event.function || "") }), el("span", { class: "pg-muted", text: ` · ${(GRID_KINDS[event.kind] || (() => ""))()} ` }), lineButton(event.line, onLine)),
    el("div", { class: "pg-data-grid" }, el("span", { class: "pg-muted", text: t("before") }), el("span", { class: "pg-muted", text: t("after") }), samples.flatMap((s, i) => [thumbCanvas(s.before, format(t("sample %(n)s before"), { n: i + 1 })), thumbCanvas(s.after, format(t("sample %(n)s after"), { n: i + 1 }))])),
    event.note ? el("p", { class: "pg-muted", text: String(event.note) }) : null,
  );
}
