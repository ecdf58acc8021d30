// A concept page: the text of the concept in the active language, its related concepts, and
// its examples, each of which opens in the workspace embedded on the page with one click.
import { getJSON } from "../base/api.js";
import { CONTRACT } from "../base/contract.js";
import { el, fill, markdownBlock } from "./dom.js";
import { describeExpectation } from "./describe.js";
import { format, pick, t } from "./i18n.js";
import { mountWorkspace, setMode } from "./workspace.js";

function section(title, markdown, className) {
  if (!markdown) return null;
  return el("section", { class: `concept-section ${className}` }, el("h2", { text: title }), markdownBlock(markdown));
}

function relatedList(slugs, titles) {
  if (!slugs || !slugs.length) return null;
  return el(
    "section",
    { class: "concept-section related" },
    el("h2", { text: t("Related concepts") }),
    el(
      "ul",
      { class: "chips" },
      slugs.map((slug) => el("li", {}, el("a", { class: "concept-chip", href: `/concepts/${slug}`, text: titles.get(slug) || slug }))),
    ),
  );
}

function exampleCard(concept, example, index, open) {
  const expectations = describeExpectation(example.expect);
  const playUrl = `/play?concept=${encodeURIComponent(concept.slug)}&example=${encodeURIComponent(example.id)}`;
  return el(
    "article",
    { class: "example", dataset: { example: example.id } },
    el(
      "header",
      {},
      el("span", { class: "example-number", text: format(t("Example %(n)s"), { n: index + 1 }) }),
      el("h3", { text: pick(example.title) }),
    ),
    // Focusable, so that a keyboard can scroll a long example.
    el("pre", { class: "example-code", tabindex: "0" }, el("code", { text: example.code })),
    expectations.length
      ? el(
          "div",
          { class: "expectation" },
          el("h4", { text: t("What you should see") }),
          el("ul", {}, expectations.map(({ text, why }) => el("li", {}, text, why ? el("span", { class: "why", text: why }) : null))),
        )
      : null,
    el(
      "div",
      { class: "example-actions" },
      el("button", { type: "button", class: "pg-btn pg-btn-primary", dataset: { openExample: example.id }, text: t("Open in editor"), onclick: () => open(example) }),
      el("a", { class: "pg-btn", href: playUrl, text: t("Open in the playground") }),
    ),
  );
}

// Says which example the editor holds, and marks its card open.
function showEditing(root, example) {
  root.querySelector("[data-editing]").textContent = example ? format(t("Editing: %(title)s"), { title: pick(example.title) }) : t("Editing your own code");
  for (const card of root.querySelectorAll(".example")) card.classList.toggle("is-open", Boolean(example) && card.dataset.example === example.id);
}

// An example into the workspace, in its mode, with the editor scrolled into view and focused
// (so Ctrl+Enter runs it at once).
function openExample(root, workspace, example) {
  workspace.setCode(example.code, { asExample: true });
  setMode(workspace, example.mode || CONTRACT.defaultMode, example.compare_eager);
  showEditing(root, example);
  workspace.focus?.();
  root.querySelector("[data-try]").scrollIntoView({ behavior: "smooth", block: "start" });
}

function conceptArticle(concept, titles, open) {
  const examples = concept.examples || [];
  return [
    el("h1", { text: pick(concept.title) }),
    markdownBlock(pick(concept.definition), "definition prose"),
    section(t("In plain words"), pick(concept.explanation), "explanation"),
    section(t("Where it is used"), pick(concept.uses), "uses"),
    relatedList(concept.related, titles),
    examples.length
      ? el("section", { class: "concept-section examples" }, el("h2", { text: t("Examples") }), examples.map((example, index) => exampleCard(concept, example, index, open)))
      : null,
  ];
}

export async function mountConcept(root) {
  const slug = root.dataset.slug;
  const [concept, catalogue] = await Promise.all([getJSON(`/api/concepts/${slug}`), getJSON("/api/concepts").catch(() => [])]);
  const titles = new Map(catalogue.map((item) => [item.slug, pick(item.title)]));
  const examples = concept.examples || [];
  const first = examples[0];
  const workspace = mountWorkspace(root.querySelector("[data-workspace]"), {
    code: first ? first.code : "",
    concept: slug,
    mode: first && first.mode,
    compareEager: Boolean(first && first.compare_eager),
    storageKey: `concept:${slug}`,
  });
  document.title = `${pick(concept.title)} · ${document.title.split(" · ").pop()}`;
  fill(root.querySelector("[data-concept-article]"), ...conceptArticle(concept, titles, (example) => openExample(root, workspace, example)));
  showEditing(root, examples.find((example) => example.code === workspace.getCode()) || (workspace.getCode().trim() ? null : first));
  root.dataset.ready = "true";
  return workspace;
}
