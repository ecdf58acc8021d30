// The workspace: editor and run bar on the left, result tabs on the right (stacked below on a
// narrow screen). mountWorkspace() is the one entry point the pages use; see docs/frontend.md.
import { el } from "../base/dom.js";
import { ApiError, getJSON, postJSON } from "../base/api.js";
import { format, t } from "../base/i18n.js";
import { createEditor } from "./editor.js";
import { CONTRACT } from "../base/contract.js";
import { FAILED, QUEUED, STARTING, TERMINAL_STATUSES, WORKER_LOST } from "../base/statuses.js";
import { createRunBar } from "./runbar.js";
import { createOutput } from "./output.js";
import { createErrorPanel } from "./errors.js";
import { createTabs } from "./tabs.js";
import { wireSplit } from "./split.js";
import { RunStream } from "./stream.js";
import { createGraphTab, prefetchGraphView } from "./graph/graph-tab.js";
import { createAutographTab } from "./autograph-tab.js";
import { createModelTab } from "./model-tab.js";
import { createTrainingTab } from "./training-tab.js";
import "./workspace.css";

function loadCode(key) {
  if (!key) return null;
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function saveCode(key, code) {
  if (!key) return;
  try {
    localStorage.setItem(key, code);
  } catch {
    // Full or disabled storage: the code just will not survive a reload.
  }
}

function forgetCode(key) {
  if (!key) return;
  try {
    localStorage.removeItem(key);
  } catch {
    // Nothing stored, nothing to forget.
  }
}

function endNotice(event) {
  const code = event.exit_code ?? "?";
  const notices = {
    timeout: ["warn", t("The run reached its time limit and was stopped.")],
    oom: ["warn", t("The run used more memory than it is allowed and was stopped.")],
    cancelled: ["info", t("You stopped the run.")],
    killed: ["warn", format(t("The run was killed (exit code %(code)s)."), { code })],
    "worker-lost": ["warn", t("The worker running this code went away; what arrived before is shown above.")],
  };
  return notices[event.status] || null;
}

/**
 * Mounts a workspace into `element`.
 * options: code (the example; Reset puts it back), concept (slug sent with runs), mode (one of
 * CONTRACT.modes), device (one of CONTRACT.deviceChoices), storageKey (localStorage key for the
 * edited code; none keeps nothing), onFinish(record) after each run ends, readOnly (no run
 * controls, for pages that only replay).
 * Returns {getCode, setCode(code, {asExample}), setOptions, state, runId, run, stop, reset,
 * replay(events, {runtime}), open(runId), element, outputText(), settled(), selectTab(id),
 * destroy()}; docs/frontend.md describes each.
 */
export function mountWorkspace(element, options = {}) {
  const { concept = null, storageKey = null, onFinish = () => {}, readOnly = false } = options;
  let example = options.code ?? "";
  const saved = readOnly ? null : loadCode(storageKey);

  const root = el("div", { class: "pg-workspace", "data-state": "idle" });
  const bar = el("div", { class: "pg-runbar" });
  const editorHost = el("div", { class: "pg-editor-host" });
  const splitter = el("div", { class: "pg-splitter", role: "separator", tabindex: "0", "aria-orientation": "vertical", "aria-label": t("Resize the editor and the results") });
  const results = el("div", { class: "pg-results" });
  // The root is a size container so the layout follows the space the page gives it.
  root.append(el("div", { class: "pg-ws-grid" }, bar, el("div", { class: "pg-ws-editor" }, editorHost), splitter, results));
  element.replaceChildren(root);

  let running = false;
  let runId = null;
  let stream = null;
  let lastStatus = "idle";

  const editor = createEditor(editorHost, {
    doc: saved ?? example,
    readOnly,
    onRun: () => run(),
    onChange: (code) => {
      if (!readOnly) saveCode(storageKey, code);
    },
  });

  const runbar = createRunBar(bar, {
    mode: options.mode || CONTRACT.defaultMode,
    device: options.device || CONTRACT.defaultDevice,
    readOnly,
    onRun: () => run(),
    onStop: () => stop(),
    onReset: () => reset(),
    onShare: () => share(),
  });

  const views = {};
  const tabs = createTabs(
    results,
    [
      { id: "output", label: t("Output"), always: true },
      { id: "graph", label: t("Graph") },
      { id: "autograph", label: t("Autograph") },
      { id: "model", label: t("Model") },
      { id: "training", label: t("Training") },
    ],
    {
      onShow: (id) => (id === "output" ? views.output?.refit() : views[id]?.shown?.()),
      onHide: (id) => views[id]?.hidden?.(),
    },
  );
  views.output = createOutput(tabs.panel("output"));
  views.errors = createErrorPanel(views.output.errorSlot, { onLine: (line) => editor.jumpTo(line) });
  views.graph = createGraphTab(tabs.panel("graph"));
  views.autograph = createAutographTab(tabs.panel("autograph"));
  views.model = createModelTab(tabs.panel("model"));
  views.training = createTrainingTab(tabs.panel("training"));
  tabs.select("output");
  wireSplit(root, splitter);
  // Ctrl/Cmd+Enter runs from anywhere in the workspace, not only from inside the editor.
  root.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.defaultPrevented) return;
    event.preventDefault();
    run();
  });
  root.addEventListener("pg:resized", () => views.output.refit());

  function setState(status, detail) {
    lastStatus = status;
    root.dataset.state = status;
    runbar.setStatus(status, detail);
  }

  function clearResults() {
    views.output.reset();
    views.errors.reset();
    views.graph.reset();
    views.autograph.reset();
    views.model.reset();
    views.training.reset();
    tabs.reset();
    editor.markLine(null);
    runbar.clear();
  }

  // Applies one event to the views; events arrive in seq order, each once.
  function apply(event) {
    switch (event.type) {
      case "status":
        setState(event.status);
        runbar.runtime({ device: event.device, host: event.host, ...(event.runtime || {}) });
        if ((event.runtime || event).sandbox === "none") {
          views.output.notice("error", t("This worker runs code WITHOUT a sandbox (a single-user opt-out). Do not run code you do not trust."));
        }
        break;
      case "stdout":
      case "stderr":
        views.output.write(event.type, String(event.text ?? ""));
        break;
      case "truncated":
        views.output.truncated(event);
        break;
      case "error":
        views.errors.show(event);
        editor.markLine(Number(event.line));
        break;
      case "graph":
        views.graph.addGraph(event);
        tabs.reveal("graph");
        break;
      case "trace":
        views.graph.addTrace(event);
        tabs.reveal("graph");
        break;
      case "autograph":
        views.autograph.add(event);
        tabs.reveal("autograph");
        break;
      case "model":
        views.model.add(event);
        tabs.reveal("model");
        break;
      case "metrics":
        views.training.add(event);
        if (views.training.hasCurves()) tabs.reveal("training");
        break;
      case "resources":
        runbar.resources(event);
        break;
      case "done": {
        setState(TERMINAL_STATUSES.has(event.status) ? event.status : FAILED);
        runbar.finished(event.duration_ms);
        const notice = endNotice(event);
        if (notice) views.output.notice(...notice);
        break;
      }
      default:
        break;
    }
  }

  async function finish() {
    running = false;
    stream = null;
    if (!runId) return;
    try {
      const record = await getJSON(`/api/runs/${encodeURIComponent(runId)}`);
      if (record.runtime) runbar.runtime(record.runtime);
      onFinish(record);
    } catch {
      onFinish(null);
    }
  }

  function follow(wsPath, after = 0) {
    stream?.close();
    stream = new RunStream({
      runId,
      wsPath,
      after,
      onEvent: (event) => {
        apply(event);
        if (event.type === "done") finish();
      },
      onLost: (error) => {
        running = false;
        setState(WORKER_LOST, error.message);
      },
    }).start();
  }

  async function run() {
    if (running || readOnly) return;
    running = true;
    clearResults();
    setState(STARTING);
    let created;
    try {
      created = await postJSON("/api/runs", { code: editor.getCode(), mode: runbar.mode(), device: runbar.device(), ...(concept ? { concept } : {}) });
    } catch (error) {
      running = false;
      const message = error instanceof ApiError ? error.message : t("The server could not be reached.");
      setState("rejected");
      views.output.notice("error", message);
      return;
    }
    runId = created.id;
    runbar.runUrl(created.url);
    setState(created.status || QUEUED);
    follow(created.ws);
  }

  async function stop() {
    if (!running || !runId) return;
    runbar.setStatus(lastStatus, t("stopping…"));
    try {
      await postJSON(`/api/runs/${encodeURIComponent(runId)}/cancel`);
    } catch (error) {
      views.output.notice("error", error.message);
    }
  }

  async function share() {
    if (!runId) return;
    try {
      const shared = await postJSON(`/api/runs/${encodeURIComponent(runId)}/share`);
      runbar.shared(shared.url);
    } catch (error) {
      runbar.shareFailed(error.message);
    }
  }

  function reset() {
    editor.setCode(example);
    forgetCode(storageKey);
    editor.markLine(null);
    editor.focus();
  }

  /** Renders a finished (or partial) event list without a socket. */
  function replay(events, { runtime = null } = {}) {
    stream?.close();
    running = false;
    clearResults();
    const ordered = [...(events || [])].filter((e) => e && e.type).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    for (const event of ordered) apply(event);
    if (runtime) runbar.runtime(runtime);
    return ordered.length ? ordered[ordered.length - 1].seq ?? 0 : 0;
  }

  /** Shows an existing run: its code and events so far, then follows it live if unfinished. */
  async function open(id) {
    const record = await getJSON(`/api/runs/${encodeURIComponent(id)}`);
    runId = record.id ?? id;
    editor.setCode(String(record.code ?? ""));
    runbar.setOptions({ mode: record.mode, device: record.device });
    const after = replay(record.events, { runtime: record.runtime });
    runbar.runUrl(`/runs/${encodeURIComponent(runId)}`);
    if (TERMINAL_STATUSES.has(record.status)) {
      setState(record.status);
      runbar.finished(record.duration_ms);
    } else {
      running = true;
      if (lastStatus === "idle") setState(record.status || QUEUED);
      follow(`/ws/runs/${encodeURIComponent(runId)}`, after);
    }
    return record;
  }

  async function loadDevices() {
    try {
      const answer = await getJSON("/api/devices");
      const live = new Set();
      const details = {};
      for (const entry of answer.devices || []) {
        if (!entry.class) continue;
        live.add(entry.class);
        details[entry.class] = `${entry.class.toUpperCase()}${entry.workers ? ` ×${entry.workers}` : ""}`;
      }
      runbar.setDevices(live, details);
    } catch {
      // Without the list every device stays selectable; the API answers 503 for a missing one.
    }
  }

  if (!readOnly) loadDevices();
  // The graph view's code and layout worker are large: fetch and warm them while the learner
  // reads or types, so the first graph draws without that wait.
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 1500));
  idle(() => prefetchGraphView(), { timeout: 4000 });

  return {
    element: root,
    getCode: () => editor.getCode(),
    setCode(code, { asExample = false } = {}) {
      if (asExample) example = code;
      editor.setCode(code);
    },
    /** Sets the mode and/or device pickers ({mode: "graph"}); runs started later use them. */
    setOptions: ({ mode, device } = {}) => runbar.setOptions({ mode, device }),
    /** idle, starting, queued, running, then how the last run ended (also root's data-state). */
    state: () => lastStatus,
    /** The id of the current or last run, or null. */
    runId: () => runId,
    run,
    stop,
    reset,
    replay,
    open,
    /** The output terminal's text (what a learner reads there). */
    outputText: () => views.output.text(),
    /** Resolves when the graph and model views have drawn what they were given. */
    settled: () => Promise.all([views.graph.drawing, views.model.drawing].map((p) => p.catch(() => {}))).then(() => {}),
    selectTab: (id) => tabs.select(id),
    destroy() {
      stream?.close();
      views.output.destroy();
      editor.destroy();
      element.replaceChildren();
    },
  };
}
