// The workspace: editor and run bar on the left, result tabs on the right (stacked below on a
// narrow screen). mountWorkspace() is the one entry point the pages use; see docs/frontend.md.
import { el } from "../base/dom.js";
import { getJSON } from "../base/api.js";
import { t } from "../base/i18n.js";
import { CONTRACT } from "../base/contract.js";
import { createEditor } from "./editor.js";
import { createEditorBar } from "./editor-bar.js";
import { createRunBar, deviceSummary } from "./runbar.js";
import { createStdinBox } from "./stdin-box.js";
import { createOutput } from "./output.js";
import { createErrorPanel } from "./errors.js";
import { createTabs } from "./tabs.js";
import { wireSplit } from "./split.js";
import { open, replay, run, share, stop } from "./runs.js";
import { createGraphTab, prefetchGraphView } from "./graph/graph-tab.js";
import { createAutographTab } from "./autograph-tab.js";
import { createModelTab } from "./model-tab.js";
import { createTrainingTab } from "./training-tab.js";
import { createTimingTab } from "./timing-tab.js";
import { createDataTab } from "./data-tab.js";
import { createReplicasTab } from "./replicas-tab.js";
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

// The Input box's text is kept beside the code, under the code's key.
function inputKey(key) {
  return key ? `${key}:stdin` : null;
}

function forgetCode(key) {
  if (!key) return;
  try {
    localStorage.removeItem(key);
  } catch {
    // Nothing stored, nothing to forget.
  }
}

// The layout. The root is a size container so the layout follows the space the page gives it.
function buildLayout(ws) {
  const splitter = el("div", { class: "pg-splitter", role: "separator", tabindex: "0", "aria-orientation": "vertical", "aria-label": t("Resize the editor and the results") });
  const parts = {
    bar: el("div", { class: "pg-runbar" }),
    editorHost: el("div", { class: "pg-editor-host" }),
    splitter,
    results: el("div", { class: "pg-results" }),
  };
  ws.root = el("div", { class: "pg-workspace", "data-state": "idle" });
  parts.editorPane = el("div", { class: "pg-ws-editor" }, parts.editorHost);
  ws.root.append(el("div", { class: "pg-ws-grid" }, parts.bar, parts.editorPane, splitter, parts.results));
  ws.element.replaceChildren(ws.root);
  return parts;
}

function createControls(ws, { bar, editorHost, editorPane }, options) {
  const { readOnly, storageKey } = ws;
  ws.editor = createEditor(editorHost, {
    doc: (readOnly ? null : loadCode(storageKey)) ?? ws.example,
    readOnly,
    onRun: () => run(ws),
    onChange: (code) => {
      if (!readOnly) saveCode(storageKey, code);
    },
    onCursor: (line) => followCursor(ws, line),
    onFormat: (result) => ws.editorBar?.say(result),
  });
  if (!readOnly) {
    ws.editorBar = createEditorBar(editorPane, editorHost, ws.editor);
    ws.stdin = createStdinBox(editorPane, {
      value: loadCode(inputKey(storageKey)) ?? "",
      onChange: (text) => saveCode(inputKey(storageKey), text),
    });
  }
  ws.runbar = createRunBar(bar, {
    mode: options.mode || CONTRACT.defaultMode,
    device: options.device || CONTRACT.defaultDevice,
    compareEager: Boolean(options.compareEager),
    readOnly,
    onRun: () => run(ws),
    onStop: () => stop(ws),
    onReset: () => reset(ws),
    onShare: () => share(ws),
  });
}

const TABS = [
  { id: "output", label: () => t("Output"), always: true },
  { id: "graph", label: () => t("Graph") },
  { id: "autograph", label: () => t("Autograph") },
  { id: "model", label: () => t("Model") },
  { id: "training", label: () => t("Training") },
  { id: "timing", label: () => t("Timing") },
  { id: "data", label: () => t("Data") },
  { id: "replicas", label: () => t("Replicas") },
];

const CURSOR_DELAY = 120; // ms the cursor rests on a line before the views follow it

// The editor's line, while the code is still what ran: its ops in the graph, its generated
// lines in the Autograph tab (other code has other line numbers, so nothing then).
function followCursor(ws, line) {
  clearTimeout(ws.cursorTimer);
  ws.cursorTimer = setTimeout(() => {
    const current = ws.ranCode !== null && ws.editor.getCode() === ws.ranCode ? line : null;
    ws.views.graph?.highlightLine(current);
    ws.views.autograph?.highlightSource(current);
  }, CURSOR_DELAY);
}

function createViews(ws, { results }) {
  const views = ws.views;
  ws.tabs = createTabs(
    results,
    TABS.map(({ label, ...spec }) => ({ ...spec, label: label() })),
    {
      onShow: (id) => (id === "output" ? views.output?.refit() : views[id]?.shown?.()),
      onHide: (id) => views[id]?.hidden?.(),
    },
  );
  const panel = (id) => ws.tabs.panel(id);
  views.output = createOutput(panel("output"));
  views.errors = createErrorPanel(views.output.errorSlot, { onLine: (line) => ws.editor.jumpTo(line) });
  // A selected op or generated line marks the line of the code it came from.
  const onSource = (lines) => ws.editor.markSource(lines, { scroll: true });
  views.graph = createGraphTab(panel("graph"), { onSource });
  views.autograph = createAutographTab(panel("autograph"), { onSource });
  views.model = createModelTab(panel("model"));
  views.training = createTrainingTab(panel("training"));
  views.timing = createTimingTab(panel("timing"));
  // A stage's or step's line marks the editor; a map's function opens in the Graph tab.
  const onLine = (line) => ws.editor.markSource([line], { scroll: true });
  const onGraph = (name) => {
    ws.tabs.select("graph");
    views.graph.showFunction(name);
  };
  views.data = createDataTab(panel("data"), { onLine, onGraph });
  views.replicas = createReplicasTab(panel("replicas"), { onLine });
  ws.tabs.select("output");
}

function wireRoot(ws, { splitter }) {
  wireSplit(ws.root, splitter);
  // Ctrl/Cmd+Enter runs from anywhere in the workspace, not only from inside the editor.
  ws.root.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.defaultPrevented) return;
    event.preventDefault();
    run(ws);
  });
  ws.root.addEventListener("pg:resized", () => ws.views.output.refit());
}

function reset(ws) {
  ws.editor.setCode(ws.example);
  forgetCode(ws.storageKey);
  ws.stdin?.setValue("");
  forgetCode(inputKey(ws.storageKey));
  ws.editor.markLine(null);
  ws.editor.focus();
}

async function loadDevices(runbar) {
  try {
    const answer = await getJSON("/api/devices");
    const live = new Set();
    const details = {};
    for (const entry of answer.devices || []) {
      if (!entry.class) continue;
      live.add(entry.class);
      details[entry.class] = deviceSummary(entry);
    }
    runbar.setDevices(live, details);
  } catch {
    // Without the list every device stays selectable; the API answers 503 for a missing one.
  }
}

// The graph view's code and layout worker are large: fetch and warm them while the learner
// reads or types, so the first graph draws without that wait.
function warmGraphView() {
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 1500));
  idle(() => prefetchGraphView(), { timeout: 4000 });
}

/** The workspace's state: what it was mounted with, its parts, and the current run. */
function newWorkspace(element, options) {
  const { concept = null, storageKey = null, onFinish = () => {}, readOnly = false } = options;
  return {
    element,
    concept,
    storageKey,
    onFinish,
    readOnly,
    example: options.code ?? "",
    root: null,
    editor: null,
    runbar: null,
    stdin: null,
    editorBar: null,
    tabs: null,
    views: {},
    running: false,
    runId: null,
    ranCode: null, // the code of the run shown, whose line numbers the views' events use
    cursorTimer: 0,
    stream: null,
    lastStatus: "idle",
  };
}

function handle(ws) {
  const { views } = ws;
  return {
    element: ws.root,
    getCode: () => ws.editor.getCode(),
    /** Puts the keyboard in the editor (Ctrl+Enter then runs). */
    focus: () => ws.editor.focus(),
    setCode(code, { asExample = false } = {}) {
      if (asExample) ws.example = code;
      ws.editor.setCode(code);
    },
    /** The Input box's text (what the next run's standard input reads), and setting it. */
    getInput: () => ws.stdin?.value() ?? "",
    setInput: (text) => ws.stdin?.setValue(text),
    /** Sets the mode and/or device pickers ({mode: "graph"}); runs started later use them. */
    setOptions: ({ mode, device, compareEager } = {}) => ws.runbar.setOptions({ mode, device, compareEager }),
    /** idle, starting, queued, running, then how the last run ended (also root's data-state). */
    state: () => ws.lastStatus,
    /** The id of the current or last run, or null. */
    runId: () => ws.runId,
    run: () => run(ws),
    stop: () => stop(ws),
    reset: () => reset(ws),
    replay: (events, opts) => replay(ws, events, opts),
    open: (id) => open(ws, id),
    /** The output terminal's text (what a learner reads there). */
    outputText: () => views.output.text(),
    /** Resolves when the graph and model views have drawn what they were given. */
    settled: () => Promise.all([views.graph.drawing, views.model.drawing].map((p) => p.catch(() => {}))).then(() => {}),
    selectTab: (id) => ws.tabs.select(id),
    /** The Graph tab's links to the code: where an op's box is, which ops the line lit up. */
    graphView: () => ({
      positionOf: (name) => views.graph.positionOf(name),
      highlighted: () => views.graph.highlighted(),
      edgeTypes: () => views.graph.edgeTypes(),
    }),
    destroy() {
      ws.stream?.close();
      views.output.destroy();
      ws.editor.destroy();
      ws.element.replaceChildren();
    },
  };
}

/**
 * Mounts a workspace into `element`.
 * options: code (the example; Reset puts it back), concept (slug sent with runs), mode (one of
 * CONTRACT.modes), device (one of CONTRACT.deviceChoices), storageKey (localStorage key for the
 * edited code; none keeps nothing), onFinish(record) after each run ends, readOnly (no run
 * controls, for pages that only replay).
 * Returns {getCode, setCode(code, {asExample}), getInput, setInput(text), setOptions, state,
 * runId, run, stop, reset, replay(events, {runtime}), open(runId), element, outputText(),
 * settled(), selectTab(id), destroy()}; docs/frontend.md describes each.
 */
export function mountWorkspace(element, options = {}) {
  const ws = newWorkspace(element, options);
  const parts = buildLayout(ws);
  createControls(ws, parts, options);
  createViews(ws, parts);
  wireRoot(ws, parts);
  if (!ws.readOnly) loadDevices(ws.runbar);
  warmGraphView();
  return handle(ws);
}
