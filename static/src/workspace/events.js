// Applies a run's events to the workspace's views, one handler per event type; events arrive in
// seq order, each once. `ws` is the workspace's state (see index.js).
import { format, t } from "../base/i18n.js";
import { CONTRACT } from "../base/contract.js";
import { FAILED, TERMINAL_STATUSES } from "../base/statuses.js";

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

/** Sets the status the workspace shows: on the run bar and as the root's data-state. */
export function setState(ws, status, detail) {
  ws.lastStatus = status;
  ws.root.dataset.state = status;
  ws.runbar.setStatus(status, detail);
}

const HANDLERS = {
  status(ws, event) {
    setState(ws, event.status);
    ws.runbar.runtime({ device: event.device, host: event.host, ...(event.runtime || {}) });
    const sandbox = (event.runtime || event).sandbox;
    if (sandbox === "none") {
      ws.views.output.notice("error", t("This worker runs code WITHOUT a sandbox (a single-user opt-out). Do not run code you do not trust."));
    } else if (sandbox === "rootless") {
      ws.views.output.notice("info", t("This worker jails code without root: no memory or process cgroup, so its limits are looser than the root jail's."));
    }
  },
  stdout: (ws, event) => output(ws, event),
  stderr: (ws, event) => output(ws, event),
  image: (ws, event) => ws.views.output.image(event),
  truncated: (ws, event) => ws.views.output.truncated(event),
  error(ws, event) {
    ws.views.errors.show(event);
    ws.editor.markLine(Number(event.line));
  },
  graph(ws, event) {
    ws.views.graph.addGraph(event);
    ws.tabs.reveal("graph");
  },
  trace(ws, event) {
    ws.views.graph.addTrace(event);
    ws.tabs.reveal("graph");
  },
  autograph(ws, event) {
    ws.views.autograph.add(event);
    ws.tabs.reveal("autograph");
  },
  model(ws, event) {
    ws.views.model.add(event);
    ws.tabs.reveal("model");
  },
  metrics(ws, event) {
    ws.views.training.add(event);
    if (ws.views.training.hasCurves()) ws.tabs.reveal("training");
  },
  function_stats: timing,
  pass: timing,
  dataset: data,
  dataset_preview: data,
  dataset_stats: data,
  augment: data,
  replicas: replicas,
  replica_step: replicas,
  resources: (ws, event) => ws.runbar.resources(event),
  done(ws, event) {
    setState(ws, TERMINAL_STATUSES.has(event.status) ? event.status : FAILED);
    ws.runbar.finished(event.duration_ms);
    const notice = endNotice(event);
    if (notice) ws.views.output.notice(...notice);
  },
};

function output(ws, event) {
  ws.views.output.write(event.type, String(event.text ?? ""));
  ws.views.timing.add(event);
}

function data(ws, event) {
  ws.views.data.add(event);
  if (ws.views.data.hasContent()) ws.tabs.reveal("data");
}

function replicas(ws, event) {
  ws.views.replicas.add(event);
  ws.tabs.reveal("replicas");
}

function timing(ws, event) {
  ws.views.timing.add(event);
  if (ws.views.timing.hasContent()) ws.tabs.reveal("timing");
}

// The second pass of a compare_eager run (tagged `pass: "eager"`): its output and timings go to
// the Timing tab beside the first pass's, its samples to the meters; the other views keep
// showing the run as written.
const EAGER_HANDLERS = {
  stdout: (ws, event) => ws.views.timing.add(event),
  stderr: (ws, event) => ws.views.timing.add(event),
  error: (ws, event) => ws.views.timing.add(event),
  function_stats: timing,
  pass: timing,
  resources: (ws, event) => ws.runbar.resources(event),
};

/** Applies one event; a type the page has no view for is ignored. */
export function applyEvent(ws, event) {
  const handlers = event[CONTRACT.passField] === CONTRACT.eagerPass ? EAGER_HANDLERS : HANDLERS;
  if (Object.prototype.hasOwnProperty.call(handlers, event.type)) handlers[event.type](ws, event);
}
