// The page's side of the layout worker: one worker for the page, started on first use, with
// promise-based calls. The worker file's hashed name is fixed at build time (__LAYOUT_WORKER__)
// and resolved next to this bundle, since every built file sits in the same folder.
import { ROOT } from "./tree.js";

/* global __LAYOUT_WORKER__ */
const WORKER_FILE = typeof __LAYOUT_WORKER__ === "string" ? __LAYOUT_WORKER__ : "layout-worker.js";

export const PADDING = { padX: 12, padTop: 30, padBottom: 12 };

let worker = null;
let nextId = 1;
let nextKey = 1;
const pending = new Map();

function failAll(message) {
  for (const { reject } of pending.values()) reject(new Error(message));
  pending.clear();
  worker = null;
}

function call(message) {
  if (!worker) {
    worker = new Worker(new URL(WORKER_FILE, import.meta.url));
    worker.onmessage = ({ data }) => {
      const waiting = pending.get(data.id);
      if (!waiting) return;
      pending.delete(data.id);
      if (data.ok) waiting.resolve(data.result);
      else waiting.reject(new Error(data.error));
    };
    worker.onerror = (event) => failAll(event.message || "layout worker failed");
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...message, id });
  });
}

/** Starts the worker and warms ELK up ahead of the first graph (idle time after page load). */
export function warmUp() {
  return call({ type: "warm" }).catch(() => {});
}

/** Sends a Tree's structure and box sizes once; returns a handle to lay out expansions of it. */
export function loadTree(tree, sizeOf) {
  const key = `t${nextKey++}`;
  const groups = {};
  const sizes = {};
  for (const [gid, group] of tree.groups) {
    groups[gid] = {
      children: group.children,
      edges: tree.interior.get(gid) || [],
      depth: group.depth,
      chain: Boolean(group.chain),
    };
    if (gid !== ROOT) sizes[gid] = group.size;
  }
  for (const [id, item] of tree.items) sizes[id] = sizeOf ? sizeOf(item) : item.size;
  // Not awaited: the worker handles messages in order, so the first layout follows the load
  // without a round trip of its own (a failed load rejects that layout).
  const loaded = call({ type: "load", key, tree: { groups, sizes, padding: PADDING } });
  loaded.catch(() => {});
  return {
    layout: (expanded) => call({ type: "layout", key, expanded }),
    drop: () => call({ type: "drop", key }).catch(() => {}),
  };
}
