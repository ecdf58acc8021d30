// Renders concept and tour text: Markdown (markdown-it, raw HTML off) with TeX through KaTeX
// and `concept:slug` links turned into links to the concept pages.
import MarkdownIt from "markdown-it";
import katex from "katex";

const DOLLAR = 0x24;
const BACKSLASH = 0x5c;

// KaTeX sizes and places glyphs with style attributes, which the page's CSP refuses in markup:
// they travel as data-tex-style and markdownBlock() (learn/dom.js) sets them through the CSSOM.
// Markdown's own text cannot fake one: raw HTML is off, so its quotes arrive escaped.
export const TEX_STYLE = "data-tex-style";

function renderTex(tex, displayMode) {
  // trust stays false: \href, \url and friends render as text, never as live links.
  const html = katex.renderToString(tex, { displayMode, throwOnError: false, output: "htmlAndMathml" });
  return html.replaceAll(' style="', ` ${TEX_STYLE}="`);
}

// Finds the closing delimiter of math that opened at `start` (just past the opening dollars).
function findClosing(src, start, max, double) {
  for (let pos = start; pos < max; pos++) {
    const ch = src.charCodeAt(pos);
    if (ch === BACKSLASH) {
      pos++;
      continue;
    }
    if (ch !== DOLLAR) continue;
    if (double) {
      if (src.charCodeAt(pos + 1) === DOLLAR) return pos;
      continue;
    }
    return pos;
  }
  return -1;
}

function isSpace(code) {
  return code === 0x20 || code === 0x09 || code === 0x0a;
}

function isDigit(code) {
  return code >= 0x30 && code <= 0x39;
}

// `$x$` inline and `$$x$$` inside a paragraph. As in Pandoc, `$` followed by a space or closed
// by a `$` that is preceded by a space or followed by a digit is plain text, so "$5 and $6"
// stays prose.
function mathInline(state, silent) {
  const { src, pos, posMax } = state;
  if (src.charCodeAt(pos) !== DOLLAR) return false;
  const double = src.charCodeAt(pos + 1) === DOLLAR;
  const open = pos + (double ? 2 : 1);
  if (open >= posMax || (!double && isSpace(src.charCodeAt(open)))) return false;
  const close = findClosing(src, open, posMax, double);
  if (close < 0 || close === open) return false;
  if (!double && (isSpace(src.charCodeAt(close - 1)) || isDigit(src.charCodeAt(close + 1)))) {
    return false;
  }
  if (!silent) {
    const token = state.push(double ? "math_display_inline" : "math_inline", "math", 0);
    token.content = src.slice(open, close);
    token.markup = double ? "$$" : "$";
  }
  state.pos = close + (double ? 2 : 1);
  return true;
}

// A `$$` block: either on one line (`$$ x $$`) or opened and closed on lines of their own.
function mathBlock(state, startLine, endLine, silent) {
  let pos = state.bMarks[startLine] + state.tShift[startLine];
  let max = state.eMarks[startLine];
  if (state.sCount[startLine] - state.blkIndent >= 4) return false;
  if (pos + 2 > max || state.src.slice(pos, pos + 2) !== "$$") return false;
  if (silent) return true;
  pos += 2;
  let firstLine = state.src.slice(pos, max);
  let lastLine = "";
  let line = startLine;
  let found = false;
  if (firstLine.trim().endsWith("$$")) {
    firstLine = firstLine.trim().slice(0, -2);
    found = true;
  }
  while (!found) {
    line++;
    if (line >= endLine) break;
    pos = state.bMarks[line] + state.tShift[line];
    max = state.eMarks[line];
    if (pos < max && state.tShift[line] < state.blkIndent) break;
    const text = state.src.slice(pos, max).trim();
    if (text.endsWith("$$")) {
      lastLine = text.slice(0, -2);
      found = true;
    }
  }
  if (!found) return false;
  state.line = line + 1;
  const token = state.push("math_block", "math", 0);
  token.block = true;
  const middle = line > startLine + 1 ? state.getLines(startLine + 1, line, state.tShift[startLine], true) : "";
  token.content = [firstLine, middle, lastLine].filter((part) => part.trim()).join("\n");
  token.map = [startLine, state.line];
  token.markup = "$$";
  return true;
}

// Rewrites `concept:slug` link targets to the concept page and marks them for styling.
function conceptLinks(state) {
  for (const block of state.tokens) {
    if (block.type !== "inline" || !block.children) continue;
    for (const token of block.children) {
      if (token.type !== "link_open") continue;
      const href = token.attrGet("href") || "";
      if (!href.startsWith("concept:")) continue;
      const slug = href.slice("concept:".length).replace(/[^a-z0-9_-]/gi, "");
      token.attrSet("href", `/concepts/${slug}`);
      token.attrJoin("class", "concept-link");
      token.attrSet("data-concept", slug);
    }
  }
}

function isCJK(code) {
  return (
    (code >= 0x3000 && code <= 0x30ff) || // CJK punctuation, hiragana, katakana
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xff00 && code <= 0xffef) // full-width forms
  );
}

// CommonMark decides whether `**` opens or closes emphasis from the characters beside it, and
// Japanese breaks that: in "**形状（shape）**と" the closing `**` sits between punctuation and a
// letter, so it would print as two asterisks. Next to Japanese text, `*` runs are also allowed
// to open or close where a space would have allowed it.
function relaxEmphasisNextToCJK(md) {
  const { isWhiteSpace, isPunctChar, isMdAsciiPunct } = md.utils;
  const State = md.inline.State;
  if (State.prototype.scanDelims.cjkAware) return;
  const original = State.prototype.scanDelims;
  const punct = (code) => isMdAsciiPunct(code) || isPunctChar(String.fromCharCode(code));
  function scanDelims(start, canSplitWord) {
    const found = original.call(this, start, canSplitWord);
    if (this.src.charCodeAt(start) !== 0x2a) return found;
    const last = start > 0 ? this.src.charCodeAt(start - 1) : 0x20;
    const end = start + found.length;
    const next = end < this.posMax ? this.src.charCodeAt(end) : 0x20;
    if (!isCJK(last) && !isCJK(next)) return found;
    const left = !isWhiteSpace(next) && (!punct(next) || isWhiteSpace(last) || punct(last) || isCJK(last));
    const right = !isWhiteSpace(last) && (!punct(last) || isWhiteSpace(next) || punct(next) || isCJK(next));
    return { ...found, can_open: found.can_open || left, can_close: found.can_close || right };
  }
  scanDelims.cjkAware = true;
  State.prototype.scanDelims = scanDelims;
}

export function createMarkdown() {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
  md.inline.ruler.after("escape", "math_inline", mathInline);
  md.block.ruler.after("blockquote", "math_block", mathBlock, {
    alt: ["paragraph", "reference", "blockquote", "list"],
  });
  md.core.ruler.push("concept_links", conceptLinks);
  relaxEmphasisNextToCJK(md);
  md.renderer.rules.math_inline = (tokens, idx) => renderTex(tokens[idx].content, false);
  md.renderer.rules.math_display_inline = (tokens, idx) => renderTex(tokens[idx].content, true);
  md.renderer.rules.math_block = (tokens, idx) =>
    `<div class="math-block">${renderTex(tokens[idx].content, true)}</div>\n`;
  const defaultLinkOpen =
    md.renderer.rules.link_open || ((tokens, idx, options, env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const href = tokens[idx].attrGet("href") || "";
    if (/^https?:/i.test(href)) {
      tokens[idx].attrSet("rel", "noopener noreferrer");
      tokens[idx].attrSet("target", "_blank");
    }
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  return md;
}

let shared = null;

/** Markdown text (one language already picked) to HTML that is safe to put in the page. */
export function renderMarkdown(text) {
  shared = shared || createMarkdown();
  return shared.render(text || "");
}

/** The same, for a short text meant to sit inside a line (no wrapping paragraph). */
export function renderInline(text) {
  shared = shared || createMarkdown();
  return shared.renderInline(text || "");
}
