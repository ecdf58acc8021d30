// The run bar: Run / Stop / Reset, the mode and device pickers (device classes without a live
// worker greyed out), and what the current run is doing: status, elapsed time, memory and CPU,
// the worker's device and TensorFlow version, links to the run page and to a shared copy.
import { el } from "../base/dom.js";
import { format, t } from "../base/i18n.js";
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

export function createRunBar(parent, { mode, device, readOnly, onRun, onStop, onReset, onShare }) {
  const run = el("button", { type: "button", class: "pg-btn pg-btn-primary", "data-action": "run", title: format(t("Run (%(keys)s)"), { keys: RUN_SHORTCUT }) },
    el("span", { "aria-hidden": "true", text: "▶" }), t("Run"));
  const stop = el("button", { type: "button", class: "pg-btn pg-btn-danger", "data-action": "stop", hidden: true },
    el("span", { "aria-hidden": "true", text: "■" }), t("Stop"));
  const reset = el("button", { type: "button", class: "pg-btn", "data-action": "reset", title: t("Put the example code back") }, t("Reset"));
  const modePick = picker(t("Mode"), "mode", CONTRACT.modes.map((m) => [m, modeLabel(m)]), mode);
  const devicePick = picker(t("Device"), "device", deviceOrder().map((d) => [d, deviceLabel(d)]), device);

  const status = el("span", { class: "pg-status", "data-status": "idle", role: "status", text: statusLabel("idle") });
  const elapsed = el("span", { class: "pg-meter", "data-meter": "elapsed", title: t("Elapsed time") });
  const memory = el("span", { class: "pg-meter", "data-meter": "memory", title: t("Resident memory of the run") });
  const cpu = el("span", { class: "pg-meter", "data-meter": "cpu", title: t("CPU time used by the run") });
  const runtime = el("span", { class: "pg-meter", "data-meter": "runtime", title: t("Where the code ran") });
  const runLink = el("a", { class: "pg-run-link", hidden: true, text: t("Run page") });
  const share = el("button", { type: "button", class: "pg-btn pg-btn-small", "data-action": "share", hidden: true }, t("Share"));
  const shareOut = el("span", { class: "pg-share-out" });
  const hint = el("span", { class: "pg-hint" }, el("kbd", { text: RUN_SHORTCUT }), " ", t("runs the code"));

  run.addEventListener("click", () => onRun());
  stop.addEventListener("click", () => onStop());
  reset.addEventListener("click", () => onReset());
  share.addEventListener("click", () => onShare());

  const controls = readOnly ? [] : [run, stop, reset, modePick.field, devicePick.field, hint];
  parent.append(
    el("div", { class: "pg-runbar-controls" }, controls),
    el("div", { class: "pg-runbar-state" }, status, elapsed, memory, cpu, runtime, runLink, share, shareOut),
  );

  let startedAt = 0;
  let timer = 0;
  const stopTimer = () => {
    clearInterval(timer);
    timer = 0;
  };

  const api = {
    mode: () => modePick.select.value,
    device: () => devicePick.select.value,
    setOptions({ mode: m, device: d }) {
      const has = (select, value) => [...select.options].some((o) => o.value === value && !o.disabled);
      if (m && has(modePick.select, m)) modePick.select.value = m;
      if (d && has(devicePick.select, d)) devicePick.select.value = d;
    },
    /** Greys out device classes without a live worker; `classes` is a Set of contract device classes. */
    setDevices(classes, details = {}) {
      for (const option of devicePick.select.options) {
        if (!CONTRACT.deviceClasses.includes(option.value)) continue;
        const live = classes.has(option.value);
        option.disabled = !live;
        option.textContent = live ? (details[option.value] || option.value.toUpperCase()) : format(t("%(device)s (no worker)"), { device: option.value.toUpperCase() });
      }
      if (devicePick.select.selectedOptions[0]?.disabled) devicePick.select.value = CONTRACT.defaultDevice;
    },
    setStatus(value, detail = "") {
      status.dataset.status = value;
      status.textContent = detail ? `${statusLabel(value)} — ${detail}` : statusLabel(value);
      const busy = BUSY_STATUSES.has(value);
      run.disabled = busy;
      stop.hidden = !busy;
      stop.disabled = value === STARTING;
      modePick.select.disabled = busy;
      devicePick.select.disabled = busy;
      share.hidden = readOnly || !TERMINAL_STATUSES.has(value) || !runLink.href;
      if (value === RUNNING && !timer) {
        startedAt = performance.now();
        timer = setInterval(() => {
          elapsed.textContent = seconds(performance.now() - startedAt);
        }, 100);
      }
      if (!busy) stopTimer();
    },
    finished(durationMs) {
      stopTimer();
      if (Number.isFinite(durationMs)) elapsed.textContent = seconds(durationMs);
    },
    resources(event) {
      if (Number.isFinite(event.rss_mb)) memory.textContent = format(t("Mem %(mb)s MB"), { mb: Math.round(event.rss_mb) });
      if (Number.isFinite(event.cpu_s)) cpu.textContent = format(t("CPU %(s)s s"), { s: event.cpu_s.toFixed(1) });
    },
    runtime({ device, tensorflow, host }) {
      const parts = [];
      if (device) parts.push(device);
      if (tensorflow) parts.push(`TF ${tensorflow}`);
      if (parts.length) runtime.textContent = parts.join(" · ");
      if (host) runtime.title = format(t("Ran on %(host)s"), { host });
    },
    runUrl(url) {
      if (url) {
        runLink.href = url;
        runLink.hidden = false;
      } else {
        runLink.removeAttribute("href");
        runLink.hidden = true;
      }
    },
    shared(url) {
      share.hidden = true;
      const absolute = new URL(url, window.location.href).toString();
      shareOut.replaceChildren(
        el("a", { href: url, class: "pg-share-link", text: absolute }),
        " ",
        el("button", {
          type: "button",
          class: "pg-btn pg-btn-small",
          onclick: (event) => {
            navigator.clipboard?.writeText(absolute).then(() => {
              event.target.textContent = t("Copied");
            });
          },
          text: t("Copy link"),
        }),
      );
    },
    shareFailed(message) {
      shareOut.textContent = message;
    },
    clear() {
      stopTimer();
      for (const node of [elapsed, memory, cpu, runtime, shareOut]) node.textContent = "";
      api.runUrl(null);
      share.hidden = true;
    },
    focusRun: () => run.focus(),
  };
  return api;
}
