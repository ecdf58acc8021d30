// Training curves of two runs overlaid: one chart per metric (loss, val_loss, accuracy, ...),
// each run its own colour. Epoch values where a run has them, else its batches.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { el } from "../base/dom.js";
import { format, t } from "../base/i18n.js";
import { themeColor } from "../base/theme.js";

export const COLOURS = { a: "#e8710a", b: "#2f6fdb" };
const HEIGHT = 200;

/** name -> [[x, value], ...] for one run: its train-phase epochs, or its batches if none. */
export function curvesOf(metrics) {
  const train = (metrics || []).filter((m) => m && m.phase === "train" && m.logs);
  const epochs = train.filter((m) => m.scope === "epoch");
  const source = epochs.length ? epochs : train;
  const byName = new Map();
  source.forEach((m, index) => {
    const x = epochs.length ? Number(m.epoch ?? index + 1) : Number(m.step ?? index + 1);
    for (const [name, value] of Object.entries(m.logs)) {
      if (typeof value !== "number") continue;
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push([x, value]);
    }
  });
  return { curves: byName, axis: epochs.length ? "epoch" : "batch" };
}

function aligned(left, right) {
  const xs = [...new Set([...left.map((p) => p[0]), ...right.map((p) => p[0])])].sort((p, q) => p - q);
  const column = (points) => {
    const map = new Map(points);
    return xs.map((x) => (map.has(x) ? map.get(x) : null));
  };
  return [xs, column(left), column(right)];
}

function chart(name, a, b, axis) {
  const box = el("figure", { class: "pg-compare-chart", "data-metric": name }, el("figcaption", { text: name }));
  const series = (label, stroke) => ({ label, stroke, width: 2, points: { show: true, size: 5 }, spanGaps: true, value: (u, v) => (v == null ? "—" : Number(v).toPrecision(4)) });
  const axes = { stroke: themeColor("--pg-muted"), grid: { stroke: themeColor("--pg-border") } };
  const options = {
    width: 420,
    height: HEIGHT,
    scales: { x: { time: false } },
    axes: [{ ...axes, label: axis === "epoch" ? t("epoch") : t("batch") }, axes],
    series: [{ label: axis === "epoch" ? t("epoch") : t("batch") }, series(format(t("A: %(m)s"), { m: name }), COLOURS.a), series(format(t("B: %(m)s"), { m: name }), COLOURS.b)],
  };
  // uPlot needs its box in the page to measure it; it is drawn once the section is attached.
  box.draw = () => new uPlot({ ...options, width: Math.max(320, box.clientWidth - 8) }, aligned(a, b), box);
  return box;
}

/** The charts (one per metric either run reported), or a line saying there are none. */
export function overlaidCurves(left, right) {
  const a = curvesOf(left.metrics);
  const b = curvesOf(right.metrics);
  const names = [...new Set([...a.curves.keys(), ...b.curves.keys()])];
  if (!names.length) return [el("p", { class: "pg-muted", text: t("Neither run trained a Keras model, so there are no curves.") })];
  const axis = a.axis === "epoch" || b.axis === "epoch" ? "epoch" : "batch";
  return names.map((name) => chart(name, a.curves.get(name) || [], b.curves.get(name) || [], axis));
}
