// What the editor shows of an indexed name (hover, completion info, signature help): its name and
// kind, its signature, the first paragraph of its docstring with `code` set as code, and the
// concept page that covers it. Text only: a docstring never becomes markup.
import { el } from "../../base/dom.js";
import { format, t } from "../../base/i18n.js";
import { signatureText } from "./api-index.js";
import { conceptFor } from "./concepts.js";

function kindLabel(kind) {
  const labels = {
    module: t("module"),
    class: t("class"),
    function: t("function"),
    method: t("method"),
    property: t("property"),
    attribute: t("attribute"),
  };
  return labels[kind] || "";
}

/** A docstring paragraph as text and <code> nodes (its `backticks` become code). */
export function docText(text) {
  return String(text || "")
    .split(/`+/)
    .map((part, i) => (i % 2 ? el("code", { text: part }) : part));
}

/** The header line: the name as written, its kind, and for a value the class it is. */
function header(entry, shownName) {
  const type = entry.t ? format(t("instance of %(class)s"), { class: entry.t }) : kindLabel(entry.k);
  return el("div", { class: "pg-doc-head" }, el("code", { class: "pg-doc-name", text: shownName || entry.name }), type ? el("span", { class: "pg-doc-kind", text: type }) : null);
}

/** The documentation of an index entry as a node. */
export function docNode(entry, shownName) {
  const signature = signatureText(entry);
  const node = el(
    "div",
    { class: "pg-doc" },
    header(entry, shownName),
    signature ? el("pre", { class: "pg-doc-signature", text: `${entry.name.split(".").pop()}${signature}` }) : null,
    entry.d ? el("p", { class: "pg-doc-text" }, docText(entry.d)) : null,
    shownName && shownName !== entry.name && !entry.t ? el("p", { class: "pg-doc-alias", text: format(t("Also known as %(name)s"), { name: entry.name }) }) : null,
  );
  addConceptLink(node, entry.name);
  return node;
}

// The concept page's link arrives when the catalogue has been fetched (once per page).
function addConceptLink(node, name) {
  conceptFor(name).then((concept) => {
    if (!concept) return;
    node.append(
      el("p", { class: "pg-doc-concept" }, el("a", { href: `/concepts/${encodeURIComponent(concept.slug)}`, text: format(t("Concept: %(title)s"), { title: concept.title }) })),
    );
  });
}
