// The sections of a comparison, each from both runs' summaries (playground/compare/summary.py):
// runtimes, the code and output diffs, model summaries side by side, data throughput.
import { el } from "../base/dom.js";
import { format, number, t } from "../base/i18n.js";
import { diffLines, sideBySide } from "./diff.js";

function cell(value) {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

function seconds(ms) {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : "—";
}

/** TensorFlow, Keras, Python, device, host, mode, seed, status and duration, side by side. */
export function runtimeTable(a, b) {
  const rows = [
    [t("TensorFlow"), (s) => s.runtime.tensorflow],
    [t("Keras"), (s) => s.runtime.keras],
    [t("Python"), (s) => s.runtime.python],
    [t("Device"), (s) => String(s.runtime.device || s.device || "").toUpperCase()],
    [t("Host"), (s) => s.runtime.host],
    [t("Mode"), (s) => s.mode],
    [t("Seed"), (s) => (s.seed === null || s.seed === undefined ? t("none") : s.seed)],
    [t("Status"), (s) => s.status],
    [t("Duration"), (s) => seconds(s.duration_ms)],
  ];
  return el(
    "table",
    { class: "pg-table pg-compare-runtime" },
    el("thead", {}, el("tr", {}, el("th", {}), el("th", { text: "A" }), el("th", { text: "B" }))),
    el("tbody", {}, rows.map(([label, get]) => {
      const left = cell(get(a));
      const right = cell(get(b));
      return el("tr", { "data-differs": left !== right ? "true" : "false" }, el("th", { text: label }), el("td", { text: left }), el("td", { text: right }));
    })),
  );
}

/** Two texts' lines side by side, changed lines marked; `kind` names it for tests. */
export function diffTable(left, right, kind) {
  const a = String(left || "").split("\n");
  const b = String(right || "").split("\n");
  const rows = sideBySide(diffLines(a, b));
  const changed = rows.filter((r) => r.kind !== "same").length;
  const side = (index, lines) => [el("td", { class: "pg-num pg-diff-n", text: index === null ? "" : String(index + 1) }), el("td", { class: "pg-diff-text", text: index === null ? "" : lines[index] })];
  return [
    el("p", { class: "pg-muted", "data-diff-summary": kind, text: changed ? format(t("%(n)s line(s) differ"), { n: changed }) : t("Identical") }),
    el("div", { class: "pg-diff-wrap" }, el("table", { class: "pg-diff", "data-diff": kind }, el("tbody", {}, rows.map((r) => el("tr", { class: `pg-diff-${r.kind}`, "data-kind": r.kind }, side(r.left, a), side(r.right, b)))))),
  ];
}

function modelRows(model) {
  const rows = [];
  const walk = (layers, depth) => {
    for (const layer of layers || []) {
      rows.push({ name: `${"  ".repeat(depth)}${layer.name}`, kind: String(layer.class || ""), shape: JSON.stringify(layer.output_shape ?? null).replaceAll("null", "None"), params: layer.params ?? 0 });
      walk(layer.layers, depth + 1);
    }
  };
  walk(model?.layers, 0);
  return rows;
}

function modelColumn(model, other, side) {
  if (!model) return el("div", { class: "pg-compare-model", "data-side": side }, el("p", { class: "pg-muted", text: t("No model reported.") }));
  const theirs = new Set(modelRows(other).map((r) => `${r.kind}|${r.shape}|${r.params}`));
  return el(
    "div",
    { class: "pg-compare-model", "data-side": side },
    el("p", {}, el("strong", { text: String(model.name || "") }), ` · ${format(t("%(n)s parameters"), { n: number(model.total_params ?? 0) })}`),
    el("table", { class: "pg-table" }, el("thead", {}, el("tr", {}, [t("Layer"), t("Class"), t("Output shape"), t("Params")].map((h) => el("th", { text: h })))), el("tbody", {}, modelRows(model).map((r) => el("tr", { "data-differs": theirs.has(`${r.kind}|${r.shape}|${r.params}`) ? "false" : "true" }, el("td", { class: "pg-mono", text: r.name }), el("td", { text: r.kind }), el("td", { class: "pg-mono", text: r.shape }), el("td", { class: "pg-num", text: number(r.params) }))))),
  );
}

/** The last model each run reported, side by side; rows the other lacks are marked. */
export function modelsSideBySide(a, b) {
  return el("div", { class: "pg-compare-models" }, modelColumn(a.model, b.model, "a"), modelColumn(b.model, a.model, "b"));
}

/** Each pipeline's last pass in both runs: examples (or elements) per second. */
export function throughputTable(a, b) {
  const last = (summary) => {
    const map = new Map();
    for (const s of summary.throughput || []) map.set(s.id, s);
    return map;
  };
  const left = last(a);
  const right = last(b);
  const ids = [...new Set([...left.keys(), ...right.keys()])].sort((p, q) => p - q);
  if (!ids.length) return null;
  const speed = (s) => (s ? s.examples_per_second ?? s.per_second : null);
  return el(
    "table",
    { class: "pg-table pg-compare-throughput" },
    el("thead", {}, el("tr", {}, el("th", { text: t("Pipeline") }), el("th", { text: "A" }), el("th", { text: "B" }), el("th", { text: t("B ÷ A") }))),
    el("tbody", {}, ids.map((id) => {
      const sa = speed(left.get(id));
      const sb = speed(right.get(id));
      const ratio = sa && sb ? `${(sb / sa).toFixed(2)}×` : "—";
      const show = (v) => (Number.isFinite(v) ? `${number(Math.round(v))}/s` : "—");
      return el("tr", {}, el("td", { text: String(id) }), el("td", { class: "pg-num", text: show(sa) }), el("td", { class: "pg-num", text: show(sb) }), el("td", { class: "pg-num", text: ratio }));
    })),
  );
}
