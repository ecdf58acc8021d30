// The /s/<slug> page and its ?embed=1 view: the frozen record (inlined by the server as
// #pg-share-data) replayed into a read-only workspace, no socket and no worker involved.
import { pageData } from "../base/dom.js";
import { currentLanguage, t } from "../base/i18n.js";
import { mountWorkspace } from "../workspace/index.js";
import { wireCopyLink, wireOpenInEditor } from "./actions.js";

function localTimes(root) {
  const formatter = new Intl.DateTimeFormat(currentLanguage(), { dateStyle: "medium", timeStyle: "short" });
  for (const node of root.querySelectorAll("time[data-local-time]")) {
    const when = new Date(node.getAttribute("datetime"));
    if (Number.isNaN(when.getTime())) continue;
    node.title = node.textContent;
    node.textContent = formatter.format(when);
  }
}

function showWorkspace(host, record) {
  const workspace = mountWorkspace(host, {
    code: String(record.code ?? ""),
    concept: record.concept || null,
    mode: record.mode,
    device: record.device,
    readOnly: true,
  });
  workspace.replay(record.events || [], { runtime: record.runtime || null });
  workspace.element.setAttribute("aria-label", t("The shared run, read-only"));
  // Tests and the page's own helpers reach the workspace here, as on /play.
  host.pgWorkspace = workspace;
  host.dispatchEvent(new CustomEvent("pg:workspace-ready", { bubbles: true }));
  return workspace;
}

/** Mounts the share page from its inlined data; returns the workspace (or null). */
export function mountSharePage(document_ = document) {
  const data = pageData("pg-share-data");
  const host = document_.querySelector("[data-share-workspace]");
  if (!data || !data.record || !host) return null;
  const record = data.record;
  localTimes(document_);
  const actions = document_.querySelector("[data-share-actions]");
  if (actions) {
    wireOpenInEditor(actions.querySelector("[data-action=open-in-editor]"), record);
    wireCopyLink(actions.querySelector("[data-action=copy-link]"), {
      url: data.url,
      input: document_.querySelector("[data-share-url]"),
      out: actions.querySelector("[data-copied]"),
    });
  }
  return showWorkspace(host, record);
}
