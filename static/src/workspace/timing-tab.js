// The Timing tab: per tf.function, its traces and their times, calls, the first call and the
// median steady-state call (`function_stats`, live while the run goes on). For a run made with
// "Compare with eager" (`compare_eager`), the second pass ran the same snippet with tf.function
// running eagerly (its events carry `pass: "eager"`): both passes side by side (output and wall
// time), and per function the graph's speed-up or slow-down, with why small functions lose.
import { el, clear } from "../base/dom.js";
import { format, t } from "../base/i18n.js";
import { CONTRACT } from "../base/contract.js";
import { RUNNING, SUCCEEDED } from "../base/statuses.js";

const MAX_OUTPUT_CHARS = 20000; // of each pass's output kept for the side-by-side view
const SAME = 0.1; // speed-ups within 10% of 1 are "about the same"

function ms(value) {
  if (!Number.isFinite(value)) return "—";
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 10) return `${value.toFixed(0)} ms`;
  if (value >= 1) return `${value.toFixed(1)} ms`;
  return `${(value * 1000).toFixed(0)} µs`;
}

function newPass() {
  return { stats: null, output: "", pass: null, error: null };
}

function isEager(event) {
  return event[CONTRACT.passField] === CONTRACT.eagerPass;
}

function keep(pass, text) {
  if (pass.output.length < MAX_OUTPUT_CHARS) pass.output = (pass.output + text).slice(0, MAX_OUTPUT_CHARS);
}

// What one event tells the tab: whose pass it belongs to, and what of it is kept.
function take(view, event) {
  const pass = isEager(event) ? view.eager : view.graph;
  if (event.type === "function_stats") pass.stats = event;
  else if (event.type === "stdout" || event.type === "stderr") keep(pass, String(event.text ?? ""));
  else if (event.type === "error") pass.error = event;
  else if (event.type === "pass") {
    view.compared = true;
    pass.pass = event;
  }
}

function statsByName(pass) {
  const map = new Map();
  for (const entry of pass.stats?.functions || []) map.set(String(entry.function), entry);
  return map;
}

// Graph speed-up of one function: its eager median call over its graph median call.
function speedup(graph, eager) {
  if (!graph || !eager || !(graph.median_ms > 0) || !(eager.median_ms > 0)) return null;
  return eager.median_ms / graph.median_ms;
}

function verdict(ratio) {
  if (ratio === null) return { text: "—", kind: "none" };
  if (ratio > 1 + SAME) return { text: format(t("%(x)s× faster as a graph"), { x: ratio.toFixed(1) }), kind: "faster" };
  if (ratio < 1 - SAME) return { text: format(t("%(x)s× slower as a graph"), { x: (1 / ratio).toFixed(1) }), kind: "slower" };
  return { text: t("about the same"), kind: "same" };
}

function passColumn(view, which) {
  const pass = view[which];
  const title = which === "eager" ? t("Eager (tf.config.run_functions_eagerly)") : t("Graph (tf.function)");
  const status = pass.pass?.status;
  const wall = pass.pass && Number.isFinite(pass.pass.duration_ms) ? format(t("Wall time %(t)s"), { t: ms(pass.pass.duration_ms) }) : status ? t("Running…") : t("Waiting for the first pass…");
  const notes = [];
  if (status && status !== SUCCEEDED && status !== RUNNING) notes.push(format(t("This pass ended: %(status)s."), { status }));
  if (pass.error) notes.push(`${pass.error.exc_type}: ${pass.error.message}`);
  return el(
    "section",
    { class: "pg-compare-col", "data-pass": which },
    el("h4", { text: title }),
    el("p", { class: "pg-compare-wall", "data-wall": which, text: wall }),
    notes.map((note) => el("p", { class: "pg-notice pg-notice-warn", text: note })),
    el("pre", { class: "pg-compare-out", "aria-label": format(t("Output of the %(pass)s pass"), { pass: which }), text: pass.output || t("(no output)") }),
  );
}

function header(...labels) {
  return el("thead", {}, el("tr", {}, labels.map(([text, numeric]) => el("th", { class: numeric ? "pg-num" : "", scope: "col", text }))));
}

function functionRow(name, graph, eager, compared) {
  const ratio = speedup(graph, eager);
  const { text, kind } = verdict(ratio);
  const traces = graph?.traces ?? 0;
  const traceText = traces ? `${traces} · ${(graph.trace_ms || []).map(ms).join(", ")}` : "0";
  const cells = [
    el("th", { scope: "row" }, el("code", { text: name })),
    el("td", { class: "pg-num", text: traceText }),
    el("td", { class: "pg-num", text: String(graph?.calls ?? 0) }),
    el("td", { class: "pg-num", text: ms(graph?.first_call_ms) }),
    el("td", { class: "pg-num", "data-col": "graph-median", text: ms(graph?.median_ms) }),
  ];
  if (compared) {
    cells.push(el("td", { class: "pg-num", "data-col": "eager-median", text: ms(eager?.median_ms) }));
    cells.push(el("td", { class: `pg-speedup pg-speedup-${kind}`, "data-col": "speedup", text }));
  }
  return el("tr", { "data-function": name, "data-speedup": ratio === null ? "" : ratio.toFixed(3) }, cells);
}

function functionTable(view) {
  const graph = statsByName(view.graph);
  const eager = statsByName(view.eager);
  const names = [...new Set([...graph.keys(), ...eager.keys()])];
  if (!names.length) return { table: null, slower: [] };
  const columns = [[t("tf.function")], [t("Traces · time each"), true], [t("Calls"), true], [t("First call"), true], [t("Median call"), true]];
  if (view.compared) columns.push([t("Median call, eager"), true], [t("Graph vs eager")]);
  const rows = names.map((name) => functionRow(name, graph.get(name), eager.get(name), view.compared));
  const slower = names.filter((name) => {
    const ratio = speedup(graph.get(name), eager.get(name));
    return ratio !== null && ratio < 1 - SAME;
  });
  return { table: el("table", { class: "pg-table pg-fn-table" }, header(...columns), el("tbody", {}, rows)), slower };
}

function explanations(view, slower) {
  const notes = [el("p", { class: "pg-muted", text: t("The first call of a tf.function traces it (runs the Python once to build a graph), so it is slow; the median is over the later calls that reused a trace.") })];
  if (slower.length) {
    notes.push(el("p", { class: "pg-notice pg-notice-info", "data-note": "slower" }, format(t("Slower as a graph: %(names)s. Calling a tf.function has a fixed cost (matching the arguments to a trace, then running the graph through TensorFlow's runtime) of tens of microseconds. A function that does a few small ops saves less than that, so eager wins; graphs pay off when a function does many ops or large ones, or loops inside the graph."), { names: slower.join(", ") })));
  }
  if (!view.compared) notes.push(el("p", { class: "pg-muted", text: t("Tick “Compare with eager” and run again to time each function eagerly too.") }));
  return notes;
}

function render(view) {
  clear(view.root);
  if (view.compared) view.root.append(el("div", { class: "pg-compare" }, passColumn(view, "graph"), passColumn(view, "eager")));
  const { table, slower } = functionTable(view);
  if (table) view.root.append(table);
  else if (view.compared) view.root.append(el("p", { class: "pg-muted", text: t("This run called no tf.function.") }));
  view.root.append(...explanations(view, slower));
}

export function createTimingTab(parent) {
  const view = { root: el("div", { class: "pg-timing" }), graph: newPass(), eager: newPass(), compared: false, frame: 0 };
  parent.append(view.root);
  const schedule = () => {
    if (view.frame) return;
    view.frame = requestAnimationFrame(() => {
      view.frame = 0;
      render(view);
    });
  };
  return {
    /** Takes function_stats, pass, and (for the side-by-side view) output and error events. */
    add(event) {
      take(view, event);
      if (view.compared || event.type === "function_stats") schedule();
    },
    /** Whether there is anything to show (timings, or a compared run). */
    hasContent: () => view.compared || Boolean(view.graph.stats || view.eager.stats),
    reset() {
      view.graph = newPass();
      view.eager = newPass();
      view.compared = false;
      clear(view.root);
    },
  };
}
