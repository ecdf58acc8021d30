// The all-reduce diagram of one step (SVG made with createElementNS, text as text nodes):
// each replica's part on top (its batch and its gradients' norm, or its value), the reduction
// in the middle, and what comes back: the same reduced gradient on every replica, or the one
// value strategy.reduce returns.
import { format, t } from "../base/i18n.js";

const NS = "http://www.w3.org/2000/svg";
const WIDTH = 600;
const BOX_W = 150;
const BOX_H = 46;

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  for (const child of children.flat()) if (child) node.append(typeof child === "string" ? document.createTextNode(child) : child);
  return node;
}

function short(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  return Math.abs(value) >= 1000 || (Math.abs(value) < 0.001 && value !== 0) ? value.toExponential(2) : String(Number(value.toPrecision(4)));
}

/** What a replica's or the result's value reads as: a number, a few, or a range. */
export function valueText(entry) {
  if (!entry) return "—";
  if ("value" in entry) return short(entry.value);
  if (Array.isArray(entry.values)) return `[${entry.values.slice(0, 4).map(short).join(", ")}${entry.values.length > 4 ? ", …" : ""}]`;
  if ("mean" in entry) return format(t("mean %(m)s"), { m: short(entry.mean) });
  return "—";
}

function deviceName(device) {
  return String(device || "").split("/").pop().replace(/^device:/, "") || "?";
}

function box(x, y, lines, className, dataset = {}) {
  const attrs = Object.fromEntries(Object.entries(dataset).map(([k, v]) => [`data-${k}`, v]));
  return svg(
    "g",
    attrs,
    svg("rect", { x, y, width: BOX_W, height: BOX_H, rx: 6, class: className }),
    lines.map((line, i) => svg("text", { x: x + BOX_W / 2, y: y + 17 + i * 15, "text-anchor": "middle", class: i ? "pg-ar-small" : "" }, line)),
  );
}

function arrow(x1, y1, x2, y2) {
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const head = (da) => `${x2 - 8 * Math.cos(angle + da)},${y2 - 8 * Math.sin(angle + da)}`;
  return svg("g", {}, svg("line", { x1, y1, x2, y2 }), svg("polygon", { class: "pg-ar-arrow", points: `${x2},${y2} ${head(0.4)} ${head(-0.4)}` }));
}

function columns(count) {
  const gap = (WIDTH - count * BOX_W) / (count + 1);
  return Array.from({ length: count }, (_, i) => gap + i * (BOX_W + gap));
}

function replicaLines(entry, kind) {
  const first = format(t("replica %(n)s · %(d)s"), { n: entry.replica, d: deviceName(entry.device) });
  if (kind === "reduce") return [first, valueText(entry.outputs?.[0])];
  const parts = [];
  if (Number.isFinite(entry.batch)) parts.push(format(t("batch %(n)s"), { n: entry.batch }));
  if (Number.isFinite(entry.grad_norm)) parts.push(`‖g‖ ${short(entry.grad_norm)}`);
  else if (entry.outputs?.length) parts.push(valueText(entry.outputs[0]));
  return [first, parts.join(" · ")];
}

/** The SVG for one `replica_step` event. */
export function allReduceDiagram(step) {
  const replicas = (step.replicas || []).slice(0, 8);
  const xs = columns(Math.max(1, replicas.length));
  const gradients = replicas.some((r) => Number.isFinite(r.grad_norm));
  const reduce = step.kind === "reduce";
  const height = gradients ? 300 : 200;
  const mid = { x: (WIDTH - BOX_W) / 2, y: 110 };
  const op = String(step.reduce_op || (gradients ? "SUM" : ""));
  const reduceLabel = gradients ? format(t("all-reduce (%(op)s)"), { op }) : reduce ? format(t("strategy.reduce (%(op)s)"), { op }) : t("results per replica");
  const parts = [];
  replicas.forEach((entry, i) => {
    parts.push(box(xs[i], 10, replicaLines(entry, step.kind), "", { replica: entry.replica }));
    if (gradients || reduce) parts.push(arrow(xs[i] + BOX_W / 2, 10 + BOX_H, mid.x + BOX_W / 2, mid.y));
  });
  if (gradients || reduce) {
    const result = gradients ? `‖Σg‖ ${short(step.reduced?.grad_norm)}` : valueText(step.reduced);
    parts.push(box(mid.x, mid.y, [reduceLabel, result], gradients ? "pg-ar-reduce" : "pg-ar-result", { reduced: "" }));
  }
  if (gradients) {
    replicas.forEach((entry, i) => {
      parts.push(arrow(mid.x + BOX_W / 2, mid.y + BOX_H, xs[i] + BOX_W / 2, 230));
      parts.push(box(xs[i], 230, [format(t("replica %(n)s applies"), { n: entry.replica }), t("the same update")], "pg-ar-result"));
    });
  }
  return svg("svg", { class: "pg-allreduce", viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-label": reduceLabel }, parts);
}
