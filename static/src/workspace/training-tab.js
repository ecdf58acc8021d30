// The Training tab: live curves from `metrics` events, one uPlot chart per metric family
// ("loss" with "val_loss", "accuracy" with "val_accuracy", ...). Per-batch values draw a thin
// line, per-epoch values a thick one with points, validation values dashed. The x axis counts
// training batches. Evaluation results show as text.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { el, clear } from "../base/dom.js";
import { format, t } from "../base/i18n.js";
import { onThemeChange, themeColor } from "../base/theme.js";

const TRAIN = "#e8710a";
const VAL = "#2f6fdb";

function family(name) {
  return name.startsWith("val_") ? name.slice(4) : name;
}

function isEpoch(event) {
  return event.scope ? event.scope === "epoch" : event.step == null;
}

class Series {
  constructor() {
    this.xs = [];
    this.columns = new Map();
  }

  put(x, key, value) {
    let index = this.xs.length - 1;
    if (index < 0 || this.xs[index] !== x) {
      // Points arrive in x order; an out-of-order x (a new fit) is appended all the same.
      this.xs.push(x);
      index = this.xs.length - 1;
      for (const column of this.columns.values()) column.push(null);
    }
    if (!this.columns.has(key)) this.columns.set(key, new Array(this.xs.length).fill(null));
    this.columns.get(key)[index] = value;
  }
}

function seriesStyle(key) {
  const [name, scope] = key.split("|");
  const val = name.startsWith("val_");
  const epoch = scope === "epoch";
  return {
    label: epoch ? `${name} (${t("epoch")})` : `${name} (${t("batch")})`,
    stroke: val ? VAL : TRAIN,
    width: epoch ? 2.5 : 1,
    alpha: epoch ? 1 : 0.45,
    dash: val ? [6, 4] : undefined,
    spanGaps: true,
    points: { show: epoch, size: 6 },
    value: (u, v) => (v == null ? "—" : Number(v).toPrecision(4)),
  };
}

const CHART_HEIGHT = 220;

function chartWidth(entry) {
  return Math.max(240, entry.box.clientWidth - 8);
}

/** The tab's state: a chart per metric family, and where the x axis has got to. */
function newTab(parent) {
  const tab = {
    charts: el("div", { class: "pg-charts" }),
    evaluation: el("div", { class: "pg-eval" }),
    families: new Map(),
    offset: 0,
    lastStep: 0,
    lastX: 0,
    sawBatches: false,
    visible: false,
    frame: 0,
  };
  parent.append(tab.charts, tab.evaluation);
  return tab;
}

function familyOf(tab, name) {
  const key = family(name);
  if (!tab.families.has(key)) {
    const box = el("figure", { class: "pg-chart", "data-family": key }, el("figcaption", { text: key }));
    tab.charts.append(box);
    tab.families.set(key, { key, box, data: new Series(), plot: null, keys: [] });
  }
  return tab.families.get(key);
}

function axisStyle() {
  return { stroke: themeColor("--pg-muted"), grid: { stroke: themeColor("--pg-chart-grid"), width: 1 }, ticks: { stroke: themeColor("--pg-chart-grid") } };
}

function build(tab, entry) {
  entry.plot?.destroy();
  entry.keys = [...entry.data.columns.keys()].sort();
  const xLabel = tab.sawBatches ? t("batch") : t("epoch");
  entry.plot = new uPlot(
    {
      width: chartWidth(entry),
      height: CHART_HEIGHT,
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false } },
      axes: [{ ...axisStyle(), label: xLabel }, { ...axisStyle(), size: 56 }],
      series: [{ label: xLabel }, ...entry.keys.map(seriesStyle)],
    },
    [entry.data.xs, ...entry.keys.map((k) => entry.data.columns.get(k))],
    entry.box,
  );
}

function paint(tab) {
  tab.frame = 0;
  if (!tab.visible) return;
  for (const entry of tab.families.values()) {
    const keys = [...entry.data.columns.keys()].sort();
    if (!entry.plot || keys.join() !== entry.keys.join()) build(tab, entry);
    else entry.plot.setData([entry.data.xs, ...entry.keys.map((k) => entry.data.columns.get(k))]);
  }
}

function schedule(tab) {
  if (!tab.frame) tab.frame = requestAnimationFrame(() => paint(tab));
}

// x is the batch count since the first fit(): `step` counts batches within one fit() call,
// so a step that goes backwards means a new fit() and the count carries on from the last.
function xOf(tab, event) {
  if (!Number.isFinite(event.step)) return Number.isFinite(event.epoch) ? event.epoch : tab.lastX + 1;
  if (event.step < tab.lastStep) tab.offset += tab.lastStep;
  tab.lastStep = event.step;
  return tab.offset + event.step;
}

function addTrain(tab, event) {
  const epoch = isEpoch(event);
  if (!epoch) tab.sawBatches = true;
  const x = xOf(tab, event);
  tab.lastX = x;
  for (const [name, value] of Object.entries(event.logs || {})) {
    if (!Number.isFinite(value)) continue;
    if (!epoch && name.startsWith("val_")) continue;
    familyOf(tab, name).data.put(x, `${name}|${epoch ? "epoch" : "batch"}`, value);
  }
  schedule(tab);
}

function addEval(tab, event) {
  const logs = Object.entries(event.logs || {}).filter(([, v]) => Number.isFinite(v));
  if (!logs.length) return;
  const label = isEpoch(event) ? t("Evaluation") : format(t("Evaluation, batch %(n)s"), { n: event.step ?? 0 });
  tab.evaluation.replaceChildren(el("p", {}, el("strong", { text: `${label}: ` }), logs.map(([k, v]) => `${k} ${Number(v).toPrecision(4)}`).join(" · ")));
}

// Charts follow the tab's width, and are drawn again in the colours of a new theme.
function watchSizeAndTheme(tab) {
  const observer = new ResizeObserver(() => {
    if (!tab.visible) return;
    for (const entry of tab.families.values()) entry.plot?.setSize({ width: chartWidth(entry), height: CHART_HEIGHT });
  });
  observer.observe(tab.charts);
  onThemeChange(() => {
    for (const entry of tab.families.values()) {
      entry.plot?.destroy();
      entry.plot = null;
    }
    schedule(tab);
  });
}

function resetTab(tab) {
  for (const entry of tab.families.values()) entry.plot?.destroy();
  tab.families.clear();
  clear(tab.charts);
  clear(tab.evaluation);
  tab.offset = 0;
  tab.lastStep = 0;
  tab.lastX = 0;
  tab.sawBatches = false;
}

export function createTrainingTab(parent) {
  const tab = newTab(parent);
  watchSizeAndTheme(tab);
  return {
    add(event) {
      if (event.phase === "eval") addEval(tab, event);
      else if (event.phase !== "predict") addTrain(tab, event);
    },
    hasCurves: () => tab.families.size > 0,
    shown() {
      tab.visible = true;
      schedule(tab);
    },
    hidden() {
      tab.visible = false;
    },
    reset: () => resetTab(tab),
  };
}
