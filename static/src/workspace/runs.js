// A run's life in the workspace: started, followed over its socket to its end, stopped, shared,
// or shown from its record (replayed, then followed if unfinished). `ws` is the workspace's state.
import { ApiError, getJSON, postJSON } from "../base/api.js";
import { t } from "../base/i18n.js";
import { QUEUED, STARTING, TERMINAL_STATUSES, WORKER_LOST } from "../base/statuses.js";
import { RunStream } from "./stream.js";
import { applyEvent, setState } from "./events.js";

function clearResults(ws) {
  for (const view of ["output", "errors", "graph", "autograph", "model", "training", "timing", "data", "replicas"]) ws.views[view].reset();
  ws.tabs.reset();
  ws.editor.markLine(null);
  ws.runbar.clear();
}

async function finish(ws) {
  ws.running = false;
  ws.stream = null;
  if (!ws.runId) return;
  try {
    const record = await getJSON(`/api/runs/${encodeURIComponent(ws.runId)}`);
    if (record.runtime) ws.runbar.runtime(record.runtime);
    ws.onFinish(record);
  } catch {
    ws.onFinish(null);
  }
}

function follow(ws, wsPath, after = 0) {
  ws.stream?.close();
  ws.stream = new RunStream({
    runId: ws.runId,
    wsPath,
    after,
    onEvent: (event) => {
      applyEvent(ws, event);
      if (event.type === "done") finish(ws);
    },
    onLost: (error) => {
      ws.running = false;
      setState(ws, WORKER_LOST, error.message);
    },
  }).start();
}

export async function run(ws) {
  if (ws.running || ws.readOnly) return;
  ws.running = true;
  clearResults(ws);
  ws.ranCode = ws.editor.getCode();
  setState(ws, STARTING);
  let created;
  try {
    const { editor, runbar, concept } = ws;
    const stdin = ws.stdin?.value() ?? "";
    created = await postJSON("/api/runs", { code: editor.getCode(), mode: runbar.mode(), device: runbar.device(), ...(concept ? { concept } : {}), ...(stdin ? { stdin } : {}), ...(runbar.compareEager() ? { compare_eager: true } : {}) });
  } catch (error) {
    ws.running = false;
    const message = error instanceof ApiError ? error.message : t("The server could not be reached.");
    setState(ws, "rejected");
    ws.views.output.notice("error", message);
    return;
  }
  ws.runId = created.id;
  ws.runbar.runUrl(created.url);
  setState(ws, created.status || QUEUED);
  follow(ws, created.ws);
}

export async function stop(ws) {
  if (!ws.running || !ws.runId) return;
  ws.runbar.setStatus(ws.lastStatus, t("stopping…"));
  try {
    await postJSON(`/api/runs/${encodeURIComponent(ws.runId)}/cancel`);
  } catch (error) {
    ws.views.output.notice("error", error.message);
  }
}

export async function share(ws) {
  if (!ws.runId) return;
  try {
    const shared = await postJSON(`/api/runs/${encodeURIComponent(ws.runId)}/share`);
    ws.runbar.shared(shared.url);
  } catch (error) {
    ws.runbar.shareFailed(error.message);
  }
}

/** Renders a finished (or partial) event list without a socket; returns the last seq. */
export function replay(ws, events, { runtime = null } = {}) {
  ws.stream?.close();
  ws.running = false;
  clearResults(ws);
  ws.ranCode = ws.editor.getCode();
  const ordered = [...(events || [])].filter((e) => e && e.type).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  for (const event of ordered) applyEvent(ws, event);
  if (runtime) ws.runbar.runtime(runtime);
  return ordered.length ? ordered[ordered.length - 1].seq ?? 0 : 0;
}

/** Shows an existing run: its code and events so far, then follows it live if unfinished. */
export async function open(ws, id) {
  const record = await getJSON(`/api/runs/${encodeURIComponent(id)}`);
  ws.runId = record.id ?? id;
  ws.editor.setCode(String(record.code ?? ""));
  ws.runbar.setOptions({ mode: record.mode, device: record.device });
  const after = replay(ws, record.events, { runtime: record.runtime });
  ws.runbar.runUrl(`/runs/${encodeURIComponent(ws.runId)}`);
  if (TERMINAL_STATUSES.has(record.status)) {
    setState(ws, record.status);
    ws.runbar.finished(record.duration_ms);
  } else {
    ws.running = true;
    if (ws.lastStatus === "idle") setState(ws, record.status || QUEUED);
    follow(ws, `/ws/runs/${encodeURIComponent(ws.runId)}`, after);
  }
  return record;
}
