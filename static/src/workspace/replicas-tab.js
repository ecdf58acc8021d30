// The Replicas tab: each tf.distribute strategy the run made (its replicas and their devices,
// the cross-device ops; a TPU the snippet asked for and why it fell back, with what it would
// have distributed), and the steps run on them: the global batch and its split, each replica's
// results, and the gradients' all-reduce drawn as a diagram (any step can be picked).
import { el, clear } from "../base/dom.js";
import { format, t } from "../base/i18n.js";
import { allReduceDiagram, valueText } from "./allreduce.js";
import { lineButton } from "./data-render.js";
import "./data.css";

const STEPS_KEPT = 200; // per site

function strategyCard(tab, event) {
  const replicas = Array.isArray(event.replicas) ? event.replicas : [];
  const name = event.strategy === "default" ? t("the default strategy (no distribution)") : String(event.strategy);
  return el(
    "section",
    { class: "pg-replicas-card", "data-strategy": String(event.strategy || "") },
    el("h4", {}, name, el("span", { class: "pg-muted", text: ` · ${format(t("%(n)s replica(s)"), { n: replicas.length })}` }), lineButton(event.line, tab.onLine)),
    event.fallback ? fallbackNotice(tab, event) : null,
    el(
      "table",
      { class: "pg-table pg-replicas-table" },
      el("thead", {}, el("tr", {}, el("th", { text: t("Replica") }), el("th", { text: t("Device") }))),
      el("tbody", {}, replicas.map((r) => el("tr", { "data-replica": String(r.id) }, el("td", { class: "pg-num", text: String(r.id) }), el("td", { class: "pg-mono", text: String(r.device || "") })))),
    ),
    event.cross_device ? el("p", { class: "pg-muted", text: format(t("Cross-device reductions: %(ops)s"), { ops: String(event.cross_device) }) }) : null,
  );
}

function globalBatch(tab) {
  for (const steps of [...tab.sites.values()].reverse()) {
    const last = steps[steps.length - 1];
    if (Number.isFinite(last?.global_batch)) return last.global_batch;
  }
  return null;
}

function fallbackNotice(tab, event) {
  const fallback = event.fallback || {};
  const would = fallback.would || {};
  const batch = globalBatch(tab);
  const cores = Number(would.replicas) || 8;
  const split = batch ? format(t("A global batch of %(b)s would have been split %(n)s ways: %(per)s per core."), { b: batch, n: cores, per: Math.floor(batch / cores) }) : "";
  return el(
    "div",
    { class: "pg-notice pg-notice-warn", "data-fallback": String(fallback.wanted || "") },
    el("p", {}, format(t("%(wanted)s was asked for (%(step)s) but this worker has no TPU:"), { wanted: String(fallback.wanted || ""), step: String(fallback.step || "") }), " ", lineButton(fallback.line, tab.onLine)),
    el("p", { class: "pg-mono", text: String(fallback.reason || "") }),
    el("p", { text: String(would.text || "") }),
    split ? el("p", { text: split }) : null,
    el("p", { text: format(t("This run used %(s)s instead."), { s: event.strategy === "default" ? t("the default strategy (no distribution)") : String(event.strategy) }) }),
  );
}

const KINDS = {
  run: () => t("strategy.run"),
  reduce: () => t("strategy.reduce"),
  fit: () => t("fit()"),
  evaluate: () => t("evaluate()"),
  predict: () => t("predict()"),
};

function splitText(step) {
  const batches = (step.replicas || []).map((r) => r.batch).filter(Number.isFinite);
  if (!batches.length || !Number.isFinite(step.global_batch)) return null;
  return format(t("Global batch %(g)s = %(parts)s (one part per replica)"), { g: step.global_batch, parts: batches.join(" + ") });
}

function fitNote(step) {
  if (step.kind !== "fit") return null;
  const n = (step.replicas || []).length;
  return el("p", { class: "pg-muted", text: format(t("Keras splits each global batch between the %(n)s replicas, scales each replica's loss by 1/%(n)s and all-reduces the gradients with %(op)s: every replica applies the mean gradient of the whole batch."), { n, op: String(step.reduce_op || "SUM") }) });
}

function valuesTable(step) {
  const names = [...new Set((step.replicas || []).flatMap((r) => (r.outputs || []).map((o) => String(o.name))))].slice(0, 6);
  const gradients = (step.replicas || []).some((r) => Number.isFinite(r.grad_norm));
  const head = [t("Replica"), t("Batch"), ...(gradients ? [t("‖gradients‖"), t("‖all-reduced‖")] : []), ...names];
  const rows = (step.replicas || []).map((r) => {
    const outputs = new Map((r.outputs || []).map((o) => [String(o.name), o]));
    return el("tr", { "data-replica": String(r.replica) }, el("td", { class: "pg-num", text: String(r.replica) }), el("td", { class: "pg-num", text: r.batch ?? "—" }), gradients ? [el("td", { class: "pg-num", text: valueText({ value: r.grad_norm }) }), el("td", { class: "pg-num", text: valueText({ value: r.reduced_norm }) })] : null, names.map((name) => el("td", { class: "pg-num", text: valueText(outputs.get(name)) })));
  });
  return el("table", { class: "pg-table pg-replicas-values" }, el("thead", {}, el("tr", {}, head.map((h) => el("th", { text: h })))), el("tbody", {}, rows));
}

function stepView(step) {
  return [el("p", { class: "pg-replicas-split", text: splitText(step) || "" }), fitNote(step), allReduceDiagram(step), valuesTable(step)];
}

function siteCard(tab, key, steps) {
  const last = steps[steps.length - 1];
  const chosen = tab.chosen.get(key);
  const step = steps.find((s) => s.step === chosen) || last;
  const body = el("div", { class: "pg-replicas-step" }, stepView(step));
  const picker = el("select", { class: "pg-select", "aria-label": t("Step"), "data-role": "step-picker" }, steps.map((s) => el("option", { value: String(s.step), selected: s === step, text: format(t("step %(n)s"), { n: s.step }) })));
  picker.addEventListener("change", () => {
    tab.chosen.set(key, Number(picker.value));
    const picked = steps.find((s) => s.step === Number(picker.value)) || last;
    clear(body).append(...stepView(picked).filter(Boolean));
  });
  return el(
    "section",
    { class: "pg-replicas-card", "data-site": String(last.kind || "") },
    el("h4", {}, (KINDS[last.kind] || (() => String(last.kind)))(), el("code", { text: String(last.function || "") }), lineButton(last.line, tab.onLine)),
    el("div", { class: "pg-replicas-steps" }, picker, el("span", { class: "pg-muted", text: format(t("%(n)s step(s) shown of those run"), { n: steps.length }) })),
    body,
  );
}

function render(tab) {
  tab.scheduled = false;
  clear(tab.root).append(...tab.strategies.map((event) => strategyCard(tab, event)), ...[...tab.sites.entries()].map(([key, steps]) => siteCard(tab, key, steps)));
}

function schedule(tab) {
  if (tab.scheduled) return;
  tab.scheduled = true;
  requestAnimationFrame(() => render(tab));
}

/** The Replicas tab in `parent`; onLine(line) marks a snippet line. */
export function createReplicasTab(parent, { onLine = () => {} } = {}) {
  const tab = { root: el("div", { class: "pg-replicas" }), strategies: [], sites: new Map(), chosen: new Map(), scheduled: false, onLine };
  parent.append(tab.root);
  return {
    add(event) {
      if (event.type === "replicas") tab.strategies.push(event);
      else if (event.type === "replica_step") {
        const key = `${event.kind}|${event.function}|${event.line}`;
        const steps = tab.sites.get(key) || [];
        steps.push(event);
        if (steps.length > STEPS_KEPT) steps.shift();
        tab.sites.set(key, steps);
      }
      schedule(tab);
    },
    hasContent: () => tab.strategies.length > 0 || tab.sites.size > 0,
    flush: () => render(tab),
    reset() {
      tab.strategies.length = 0;
      tab.sites.clear();
      tab.chosen.clear();
      clear(tab.root);
    },
  };
}
