// Element helpers of the learning pages on top of base/dom.js: the one place where markup goes
// into the page, and only markup made by our Markdown renderer (raw HTML off, TeX by KaTeX).
import { append, el } from "../base/dom.js";
import { format, t } from "./i18n.js";
import { TEX_STYLE, renderMarkdown } from "./markdown.js";

export { el };

/** Replaces the children of `node` with `children`, skipping the null ones. */
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** A <div> (or `tag`) holding the rendered Markdown of `text`. */
export function markdownBlock(text, className = "prose", tag = "div") {
  const node = el(tag, { class: className });
  node.innerHTML = renderMarkdown(text);
  for (const styled of node.querySelectorAll(`[${TEX_STYLE}]`)) {
    styled.style.cssText = styled.getAttribute(TEX_STYLE);
    styled.removeAttribute(TEX_STYLE);
  }
  // A code block may scroll sideways: focusable, a keyboard can scroll it.
  for (const pre of node.querySelectorAll("pre")) pre.tabIndex = 0;
  return node;
}

/** Puts a "could not load" notice in place of the loading text of a page part. */
export function showLoadError(container, error) {
  const notice = el("p", { class: "pg-notice pg-notice-error load-error", role: "alert", text: format(t("Could not load this part of the page: %(reason)s"), { reason: error.message }) });
  const loading = container.querySelector(".learn-loading");
  if (loading) loading.replaceWith(notice);
  else container.append(notice);
}
