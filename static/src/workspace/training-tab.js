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

export function createTrainingTab(parent) {
  const charts = el("div", { class: "pg-charts" });
  const evaluation = el("div", { class: "pg-eval" });
  parent.append(charts, evaluation);

  const families = new Map();
  let offset = 0;
  let lastStep = 0;
  let lastX = 0;
  let sawBatches = false;
  let visible = false;
  let frame = 0;

  function familyOf(name) {
    const key = family(name);
    if (!families.has(key)) {
      const box = el("figure", { class: "pg-chart", "data-family": key }, el("figcaption", { text: key }));
      charts.append(box);
      families.set(key, { key, box, data: new Series(), plot: null, keys: [] });
    }
    return families.get(key);
  }

  function axisStyle() {
    return { stroke: themeColor("--pg-muted"), grid: { stroke: themeColor("--pg-chart-grid"), width: 1 }, ticks: { stroke: themeColor("--pg-chart-grid") } };
  }

  function build(entry) {
    entry.plot?.destroy();
    entry.keys = [...entry.data.columns.keys()].sort();
    const width = Math.max(240, entry.box.clientWidth - 8);
    entry.plot = new uPlot(
      {
        width,
        height: 220,
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: false } },
        axes: [{ ...axisStyle(), label: sawBatches ? t("batch") : t("epoch") }, { ...axisStyle(), size: 56 }],
        series: [{ label: sawBatches ? t("batch") : t("epoch") }, ...entry.keys.map(seriesStyle)],
      },
      [entry.data.xs, ...entry.keys.map((k) => entry.data.columns.get(k))],
      entry.box,
    );
  }

  function paint() {
    frame = 0;
    if (!visible) return;
    for (const entry of families.values()) {
      const keys = [...entry.data.columns.keys()].sort();
      if (!entry.plot || keys.join() !== entry.keys.join()) build(entry);
      else entry.plot.setData([entry.data.xs, ...entry.keys.map((k) => entry.data.columns.get(k))]);
    }
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(paint);
  }

  // x is the batch count since the first fit(): `step` counts batches within one fit() call,
  // so a step that goes backwards means a new fit() and the count carries on from the last.
  function xOf(event) {
    if (!Number.isFinite(event.step)) return Number.isFinite(event.epoch) ? event.epoch : lastX + 1;
    if (event.step < lastStep) offset += lastStep;
    lastStep = event.step;
    return offset + event.step;
  }

  function addTrain(event) {
    const epoch = isEpoch(event);
    if (!epoch) sawBatches = true;
    const x = xOf(event);
    lastX = x;
    for (const [name, value] of Object.entries(event.logs || {})) {
      if (!Number.isFinite(value)) continue;
      if (!epoch && name.startsWith("val_")) continue;
      familyOf(name).data.put(x, `${name}|${epoch ? "epoch" : "batch"}`, value);
    }
    schedule();
  }

  function addEval(event) {
    const logs = Object.entries(event.logs || {}).filter(([, v]) => Number.isFinite(v));
    if (!logs.length) return;
    const label = isEpoch(event) ? t("Evaluation") : format(t("Evaluation, batch %(n)s"), { n: event.step ?? 0 });
    evaluation.replaceChildren(el("p", {}, el("strong", { text: `${label}: ` }), logs.map(([k, v]) => `${k} ${Number(v).toPrecision(4)}`).join(" · ")));
  }

  const observer = new ResizeObserver(() => {
    if (!visible) return;
    for (const entry of families.values()) entry.plot?.setSize({ width: Math.max(240, entry.box.clientWidth - 8), height: 220 });
  });
  observer.observe(charts);
  onThemeChange(() => {
    for (const entry of families.values()) {
      entry.plot?.destroy();
      entry.plot = null;
    }
    schedule();
  });

  return {
    add(event) {
      if (event.phase === "eval") addEval(event);
      else if (event.phase !== "predict") addTrain(event);
    },
    hasCurves: () => families.size > 0,
    shown() {
      visible = true;
      schedule();
    },
    hidden() {
      visible = false;
    },
    reset() {
      for (const entry of families.values()) entry.plot?.destroy();
      families.clear();
      clear(charts);
      clear(evaluation);
      offset = 0;
      lastStep = 0;
      lastX = 0;
      sawBatches = false;
    },
  };
}
