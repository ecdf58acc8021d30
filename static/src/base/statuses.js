// The run statuses as the page uses them: the contract's sets, and the few statuses the page
// acts on by name, each checked against contract.js when the page loads.
import { CONTRACT } from "./contract.js";

export const TERMINAL_STATUSES = new Set(CONTRACT.terminalStatuses);

// The page's own state while it asks the server to start a run; no run has a status yet.
export const STARTING = "starting";
/** Statuses during which Run is disabled and Stop offered. */
export const BUSY_STATUSES = new Set([STARTING, ...CONTRACT.liveStatuses]);

// A name the contract dropped or renamed must fail on load, not make a comparison quietly false.
function known(statuses, name) {
  if (!statuses.includes(name)) throw new Error(`contract.js has no run status "${name}": update base/statuses.js`);
  return name;
}

/** What a run is before a worker takes it (and what the page shows until it hears more). */
export const QUEUED = known(CONTRACT.liveStatuses, "queued");
/** The elapsed-time meter runs while a run has this status. */
export const RUNNING = known(CONTRACT.liveStatuses, "running");
export const SUCCEEDED = known(CONTRACT.terminalStatuses, "succeeded");
/** Also how the page shows a `done` whose status it does not know. */
export const FAILED = known(CONTRACT.terminalStatuses, "failed");
/** Also what the page shows when it cannot follow a run at all. */
export const WORKER_LOST = known(CONTRACT.terminalStatuses, "worker-lost");
