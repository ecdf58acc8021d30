// The Data tab: each tf.data pipeline the run iterated (its stages with their arguments and
// element_spec, its first elements with images as thumbnails, the throughput of each pass over
// it, live), and the before/after grids of image augmentation. Stage lines mark the editor;
// a map's function opens in the Graph tab.
import { el, clear } from "../base/dom.js";
import { t } from "../base/i18n.js";
import { augmentGrid, pipelineHead, previewTable, statsTable, throughputLine } from "./data-render.js";
import "./data.css";

function newPipeline(id) {
  return { id, event: null, preview: null, iterations: new Map(), augments: [] };
}

function pipelineOf(tab, id) {
  if (!tab.pipelines.has(id)) tab.pipelines.set(id, newPipeline(id));
  return tab.pipelines.get(id);
}

function batched(pipeline) {
  const stages = pipeline.event?.stages || [];
  return pipeline.preview?.batched === true || stages.some((s) => ["batch", "padded_batch", "rebatch"].includes(s.op));
}

function lastStats(pipeline) {
  const all = [...pipeline.iterations.values()];
  return all[all.length - 1] || null;
}

function pipelineCard(tab, pipeline) {
  const handlers = { onLine: tab.onLine, onGraph: tab.onGraph };
  const isBatched = batched(pipeline);
  return el(
    "section",
    { class: "pg-data-pipeline", "data-pipeline": String(pipeline.id) },
    pipeline.event ? pipelineHead(pipeline.event, handlers) : null,
    el("p", { class: "pg-data-throughput", "data-throughput": "", text: throughputLine(lastStats(pipeline), isBatched) }),
    pipeline.iterations.size ? el("details", { class: "pg-data-passes" }, el("summary", { text: t("Each pass") }), statsTable(pipeline.iterations, isBatched)) : null,
    pipeline.preview ? el("div", { class: "pg-data-preview-wrap" }, previewTable(pipeline.preview)) : null,
    pipeline.augments.map((event) => augmentGrid(event, tab.onLine)),
  );
}

function render(tab) {
  tab.scheduled = false;
  const cards = [...tab.pipelines.values()].filter((p) => p.event).map((p) => pipelineCard(tab, p));
  const loose = tab.augments.map((event) => augmentGrid(event, tab.onLine));
  clear(tab.root).append(
    ...cards,
    loose.length ? el("section", { class: "pg-data-pipeline" }, el("h4", { text: t("Augmentation") }), loose) : "",
    ...tab.notes.map((note) => el("p", { class: "pg-notice pg-notice-warn", text: note })),
  );
}

function schedule(tab) {
  if (tab.scheduled) return;
  tab.scheduled = true;
  requestAnimationFrame(() => render(tab));
}

function take(tab, event) {
  if (event.type === "dataset") {
    if (!event.id) tab.notes.push(String(event.note || ""));
    else pipelineOf(tab, event.id).event = event;
  } else if (event.type === "dataset_preview") {
    pipelineOf(tab, event.id).preview = event;
  } else if (event.type === "dataset_stats") {
    pipelineOf(tab, event.id).iterations.set(event.iteration ?? 0, event);
  } else if (event.type === "augment") {
    if (Number.isInteger(event.dataset)) pipelineOf(tab, event.dataset).augments.push(event);
    else tab.augments.push(event);
  }
}

/**
 * The Data tab in `parent`. onLine(line) marks a snippet line; onGraph(name) opens a traced
 * function (a map's) in the Graph tab.
 */
export function createDataTab(parent, { onLine = () => {}, onGraph = () => {} } = {}) {
  const tab = { root: el("div", { class: "pg-data" }), pipelines: new Map(), augments: [], notes: [], scheduled: false, onLine, onGraph };
  parent.append(tab.root);
  return {
    add(event) {
      take(tab, event);
      schedule(tab);
    },
    /** Whether anything arrived that the tab shows. */
    hasContent: () => tab.augments.length > 0 || tab.notes.length > 0 || [...tab.pipelines.values()].some((p) => p.event || p.augments.length),
    /** Draws now what arrived (tests and replays, which need not wait for a frame). */
    flush: () => render(tab),
    reset() {
      tab.pipelines.clear();
      tab.augments.length = 0;
      tab.notes.length = 0;
      clear(tab.root);
    },
  };
}
