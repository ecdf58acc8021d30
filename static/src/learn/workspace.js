// The few things the learning pages ask of the shared workspace beyond mountWorkspace().
import { mountWorkspace } from "../workspace/index.js";

export { mountWorkspace };

/**
 * Switches the workspace's mode picker (one of CONTRACT.modes) to what an example or step needs,
 * and "Compare with eager" to whether it asks for a second, eager pass.
 */
export function setMode(workspace, mode, compareEager = false) {
  if (!mode) return;
  if (typeof workspace.setOptions === "function") {
    workspace.setOptions({ mode, compareEager: Boolean(compareEager) });
    return;
  }
  const select = workspace.element && workspace.element.querySelector("select[name=mode]");
  if (select && [...select.options].some((option) => option.value === mode)) select.value = mode;
}

/** The workspace's state as its root shows it: idle, starting, queued, running, succeeded, ... */
export function stateOf(workspace) {
  return (workspace.element && workspace.element.dataset.state) || "idle";
}
