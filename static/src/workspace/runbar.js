// The run bar: Run / Stop / Reset, the mode and device pickers (device classes without a live
// worker greyed out), "Compare with eager" (TF2 mode only), and what the current run is doing:
// status, elapsed time, memory and CPU, the worker's device and TensorFlow version, links to the
// run page and to a shared copy.
import { el } from "../base/dom.js";
import { format, t, tn } from "../base/i18n.js";
import { CONTRACT } from "../base/contract.js";
import { BUSY_STATUSES, RUNNING, STARTING, TERMINAL_STATUSES } from "../base/statuses.js";

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const RUN_SHORTCUT = isMac ? "⌘+Enter" : "Ctrl+Enter";

function statusLabel(status) {
  const labels = {
    idle: t("Ready"),
    starting: t("Starting…"),
    queued: t("Queued"),
    running: t("Running"),
    succeeded: t("Succeeded"),
    failed: t("Failed"),
    timeout: t("Timed out"),
    cancelled: t("Cancelled"),
    oom: t("Out of memory"),
    killed: t("Killed"),
    "worker-lost": t("Worker lost"),
    rejected: t("Not started"),
  };
  return labels[status] || status;
}

// Labels of the contract's modes and device choices; one without a label here shows its name.
function modeLabel(mode) {
  const labels = { eager: t("Eager"), graph: t("Graph (TF1)") };
  return labels[mode] || mode;
}

function deviceLabel(device) {
  const labels = { auto: t("Auto") };
  return labels[device] || device.toUpperCase();
}

// The default (auto) first, then the device classes from the commonest up: the contract lists
// them best first, the picker cheapest first.
function deviceOrder() {
  const classes = CONTRACT.deviceClasses;
  return [...CONTRACT.deviceChoices.filter((choice) => !classes.includes(choice)), ...[...classes].reverse()];
}

/**
 * One live device class as the picker shows it, from its `/api/devices` entry: the class, marked
 * when its workers only simulate it, its workers, and the wait a run sent now can expect
 * ("GPU · 2 workers · ~3 s wait"). The option's title adds free slots, warm spares and the queue.
 */
export function deviceSummary(entry) {
  const name = entry.simulated ? format(t("%(device)s (simulated)"), { device: entry.class.toUpperCase() }) : entry.class.toUpperCase();
  const parts = [name];
  if (entry.workers) parts.push(format(tn("%(n)s worker", "%(n)s workers", entry.workers), { n: entry.workers }));
  if (typeof entry.wait_s === "number") {
    parts.push(entry.wait_s < 0.5 ? t("no wait") : format(t("~%(seconds)s s wait"), { seconds: entry.wait_s < 10 ? entry.wait_s.toFixed(1) : Math.round(entry.wait_s) }));
  }
  const title = format(t("%(free)s of %(slots)s slots free, %(spares)s warm spares, %(queued)s queued"), {
    free: entry.free_slots ?? "?",
    slots: entry.slots ?? "?",
    spares: entry.warm_spares ?? "?",
    queued: entry.queue_depth ?? "?",
  });
  return { text: parts.join(" · "), title };
}

function seconds(ms) {
  return ms < 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function picker(label, name, options, value) {
  const select = el(
    "select",
    { class: "pg-select", name, "aria-label": label },
    options.map(([v, text]) => el("option", { value: v, selected: v === value, text })),
  );
  return { select, field: el("label", { class: "pg-field" }, el("span", { class: "pg-field-label", text: label }), select) };
}

function button(attrs, ...children) {
  return el("button", { type: "button", ...attrs }, ...children);
}

// "Compare with eager": the run is made twice, the second time with tf.function run eagerly.
function compareBox(checked) {
  const input = el("input", { type: "checkbox", name: "compare_eager", "data-action": "compare-eager", checked: Boolean(checked) });
  const field = el("label", { class: "pg-field pg-check", title: t("Run the code a second time with tf.function running eagerly, and compare the timings") }, input, t("Compare with eager"));
  return { input, field };
}

// Comparing needs TF2's functions: a TF1-style graph run has none.
function syncCompare(bar) {
  bar.compare.input.disabled = bar.modePick.select.disabled || bar.modePick.select.value === "graph";
}

// The run controls; a read-only bar shows none of them.
function createControls({ mode, device, compareEager }) {
  return {
    compare: compareBox(compareEager),
    run: button({ class: "pg-btn pg-btn-primary", "data-action": "run", title: format(t("Run (%(keys)s)"), { keys: RUN_SHORTCUT }) },
      el("span", { "aria-hidden": "true", text: "▶" }), t("Run")),
    stop: button({ class: "pg-btn pg-btn-danger", "data-action": "stop", hidden: true },
      el("span", { "aria-hidden": "true", text: "■" }), t("Stop")),
    reset: button({ class: "pg-btn", "data-action": "reset", title: t("Put the example code back") }, t("Reset")),
    modePick: picker(t("Mode"), "mode", CONTRACT.modes.map((m) => [m, modeLabel(m)]), mode),
    devicePick: picker(t("Device"), "device", deviceOrder().map((d) => [d, deviceLabel(d)]), device),
    hint: el("span", { class: "pg-hint" }, el("kbd", { text: RUN_SHORTCUT }), " ", t("runs the code")),
  };
}

// What the current run is doing, and where to find it.
function createState() {
  const meter = (name, title) => el("span", { class: "pg-meter", "data-meter": name, title });
  return {
    status: el("span", { class: "pg-status", "data-status": "idle", role: "status", text: statusLabel("idle") }),
    elapsed: meter("elapsed", t("Elapsed time")),
    memory: meter("memory", t("Resident memory of the run")),
    cpu: meter("cpu", t("CPU time used by the run")),
    runtime: meter("runtime", t("Where the code ran")),
    runLink: el("a", { class: "pg-run-link", hidden: true, text: t("Run page") }),
    share: button({ class: "pg-btn pg-btn-small", "data-action": "share", hidden: true }, t("Share")),
    shareOut: el("span", { class: "pg-share-out" }),
  };
}

/** The bar's state: its elements, whether it is read-only, and the elapsed-time timer. */
function newBar(parent, options) {
  const bar = { ...createControls(options), ...createState(), readOnly: options.readOnly, startedAt: 0, timer: 0 };
  const { run, stop, reset, modePick, devicePick, compare, hint, status, elapsed, memory, cpu, runtime, runLink, share, shareOut } = bar;
  run.addEventListener("click", () => options.onRun());
  stop.addEventListener("click", () => options.onStop());
  reset.addEventListener("click", () => options.onReset());
  share.addEventListener("click", () => options.onShare());
  modePick.select.addEventListener("change", () => syncCompare(bar));
  const controls = bar.readOnly ? [] : [run, stop, reset, modePick.field, devicePick.field, compare.field, hint];
  parent.append(
    el("div", { class: "pg-runbar-controls" }, controls),
    el("div", { class: "pg-runbar-state" }, status, elapsed, memory, cpu, runtime, runLink, share, shareOut),
  );
  return bar;
}

function setOptions(bar, { mode, device, compareEager }) {
  const has = (select, value) => [...select.options].some((o) => o.value === value && !o.disabled);
  if (mode && has(bar.modePick.select, mode)) bar.modePick.select.value = mode;
  if (device && has(bar.devicePick.select, device)) bar.devicePick.select.value = device;
  if (typeof compareEager === "boolean") bar.compare.input.checked = compareEager;
  syncCompare(bar);
}

function setDevices(bar, classes, details) {
  const { select } = bar.devicePick;
  for (const option of select.options) {
    if (!CONTRACT.deviceClasses.includes(option.value)) continue;
    const live = classes.has(option.value);
    option.disabled = !live;
    const detail = details[option.value];
    option.textContent = live ? (detail?.text || option.value.toUpperCase()) : format(t("%(device)s (no worker)"), { device: option.value.toUpperCase() });
    option.title = (live && detail?.title) || "";
  }
  if (select.selectedOptions[0]?.disabled) select.value = CONTRACT.defaultDevice;
}

function startTimer(bar) {
  bar.startedAt = performance.now();
  bar.timer = setInterval(() => {
    bar.elapsed.textContent = seconds(performance.now() - bar.startedAt);
  }, 100);
}

function stopTimer(bar) {
  clearInterval(bar.timer);
  bar.timer = 0;
}

function setStatus(bar, value, detail) {
  const { status, run, stop, modePick, devicePick, share, runLink } = bar;
  status.dataset.status = value;
  status.textContent = detail ? `${statusLabel(value)} — ${detail}` : statusLabel(value);
  const busy = BUSY_STATUSES.has(value);
  run.disabled = busy;
  stop.hidden = !busy;
  stop.disabled = value === STARTING;
  modePick.select.disabled = busy;
  devicePick.select.disabled = busy;
  syncCompare(bar);
  share.hidden = bar.readOnly || !TERMINAL_STATUSES.has(value) || !runLink.href;
  if (value === RUNNING && !bar.timer) startTimer(bar);
  if (!busy) stopTimer(bar);
}

function showResources(bar, event) {
  if (Number.isFinite(event.rss_mb)) bar.memory.textContent = format(t("Mem %(mb)s MB"), { mb: Math.round(event.rss_mb) });
  if (Number.isFinite(event.cpu_s)) bar.cpu.textContent = format(t("CPU %(s)s s"), { s: event.cpu_s.toFixed(1) });
  if (Number.isFinite(event.gpu_mem_mb)) {
    bar.memory.textContent += ` · ${format(t("GPU %(mb)s MB, %(util)s%"), { mb: Math.round(event.gpu_mem_mb), util: Math.round(event.gpu_util || 0) })}`;
  }
}

function showRuntime(bar, { device, tensorflow, host, simulated, spare, spare_reason: reason }) {
  const parts = [];
  if (device) parts.push(simulated ? format(t("%(device)s (simulated)"), { device }) : device);
  if (tensorflow) parts.push(`TF ${tensorflow}`);
  // A cold spare: TensorFlow had not started, so the snippet's own device set-up applied.
  if (spare === CONTRACT.coldSpare) parts.push(t("fresh TensorFlow"));
  if (parts.length) bar.runtime.textContent = parts.join(" · ");
  const fresh = spare === CONTRACT.coldSpare && format(t("TensorFlow had not started before this snippet, so its device set-up applied (%(reason)s)"), { reason });
  const titles = [host && format(t("Ran on %(host)s"), { host }), fresh].filter(Boolean);
  if (titles.length) bar.runtime.title = titles.join("\n");
}

function setRunUrl(bar, url) {
  if (url) {
    bar.runLink.href = url;
    bar.runLink.hidden = false;
  } else {
    bar.runLink.removeAttribute("href");
    bar.runLink.hidden = true;
  }
}

function showShared(bar, url) {
  bar.share.hidden = true;
  const absolute = new URL(url, window.location.href).toString();
  const copy = (event) => {
    navigator.clipboard?.writeText(absolute).then(() => {
      event.target.textContent = t("Copied");
    });
  };
  bar.shareOut.replaceChildren(
    el("a", { href: url, class: "pg-share-link", text: absolute }),
    " ",
    button({ class: "pg-btn pg-btn-small", onclick: copy, text: t("Copy link") }),
  );
}

function clearBar(bar) {
  stopTimer(bar);
  for (const node of [bar.elapsed, bar.memory, bar.cpu, bar.runtime, bar.shareOut]) node.textContent = "";
  setRunUrl(bar, null);
  bar.share.hidden = true;
}

export function createRunBar(parent, options) {
  const bar = newBar(parent, options);
  syncCompare(bar);
  return {
    mode: () => bar.modePick.select.value,
    device: () => bar.devicePick.select.value,
    /** Whether the next run is to be compared with an eager pass (only ever in TF2 mode). */
    compareEager: () => bar.compare.input.checked && bar.modePick.select.value !== "graph",
    setOptions: (choice) => setOptions(bar, choice),
    /** Greys out device classes without a live worker; `classes` is a Set of contract device classes. */
    setDevices: (classes, details = {}) => setDevices(bar, classes, details),
    setStatus: (value, detail = "") => setStatus(bar, value, detail),
    finished(durationMs) {
      stopTimer(bar);
      if (Number.isFinite(durationMs)) bar.elapsed.textContent = seconds(durationMs);
    },
    resources: (event) => showResources(bar, event),
    runtime: (runtime) => showRuntime(bar, runtime),
    runUrl: (url) => setRunUrl(bar, url),
    shared: (url) => showShared(bar, url),
    shareFailed(message) {
      bar.shareOut.textContent = message;
    },
    clear: () => clearBar(bar),
    focusRun: () => bar.run.focus(),
  };
}
