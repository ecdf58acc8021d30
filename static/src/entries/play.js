// The /play page (a free workspace, or a concept's example via ?concept=&example=) and the
// /runs/<id> page (one run, live or finished). Page data comes from templates/web/play.html.
import "../base/page.js";
import { el, pageData } from "../base/dom.js";
import { getJSON } from "../base/api.js";
import { currentLanguage, format, t } from "../base/i18n.js";
import { mountWorkspace } from "../workspace/index.js";
import { FOCUS_EDITOR_KEY } from "../shares/actions.js";
import "../workspace/play-page.css";

function pick(texts) {
  if (texts == null) return "";
  if (typeof texts === "string") return texts;
  return texts[currentLanguage()] ?? texts.en ?? Object.values(texts)[0] ?? "";
}

function showContext(concept, example) {
  const slot = document.getElementById("pg-play-context");
  if (!slot) return;
  slot.replaceChildren(
    el("a", { href: `/concepts/${encodeURIComponent(concept.slug)}`, text: pick(concept.title) || concept.slug }),
    example ? el("span", { class: "pg-muted", text: ` › ${pick(example.title) || example.id}` }) : null,
  );
  slot.hidden = false;
}

function showProblem(message) {
  const slot = document.getElementById("pg-play-problem");
  if (!slot) return;
  slot.textContent = message;
  slot.hidden = false;
}

async function examplePreload(data) {
  if (!data.concept) return null;
  try {
    const concept = await getJSON(`/api/concepts/${encodeURIComponent(data.concept)}`);
    const examples = Array.isArray(concept.examples) ? concept.examples : [];
    const example = data.example != null ? examples.find((e) => String(e.id) === String(data.example)) : examples[0];
    showContext(concept, example);
    if (!example) {
      if (data.example != null) showProblem(format(t("This concept has no example “%(id)s”."), { id: data.example }));
      return null;
    }
    return { code: String(example.code ?? ""), key: `pg.code.${concept.slug}.${example.id}`, compareEager: Boolean(example.compare_eager) };
  } catch (error) {
    showProblem(error.status === 404 ? format(t("No concept is called “%(slug)s”."), { slug: data.concept }) : error.message);
    return null;
  }
}

async function main() {
  const data = pageData("pg-play-data") || {};
  const host = document.getElementById("workspace");
  if (data.run) {
    const workspace = mountWorkspace(host, { code: "" });
    host.pgWorkspace = workspace;
    host.dispatchEvent(new CustomEvent("pg:workspace-ready", { bubbles: true }));
    try {
      await workspace.open(data.run);
    } catch (error) {
      showProblem(error.status === 404 ? t("This run does not exist, or it belongs to another browser session.") : error.message);
    }
    return;
  }
  const preset = await examplePreload(data);
  const workspace = mountWorkspace(host, {
    code: preset ? preset.code : data.code || "",
    concept: data.concept || null,
    mode: data.mode,
    device: data.device,
    compareEager: Boolean(preset && preset.compareEager),
    storageKey: preset ? preset.key : "pg.code.play",
  });
  host.pgWorkspace = workspace;
  host.dispatchEvent(new CustomEvent("pg:workspace-ready", { bubbles: true }));
  focusIfOpenedInEditor(workspace);
}

// Arriving from a share page's "Open in editor": the keyboard goes to the editor, so that
// Ctrl+Enter runs the code at once.
function focusIfOpenedInEditor(workspace) {
  try {
    if (sessionStorage.getItem(FOCUS_EDITOR_KEY) !== "1") return;
    sessionStorage.removeItem(FOCUS_EDITOR_KEY);
  } catch {
    return;
  }
  workspace.focus();
}

main();
