// The page's Content-Security-Policy (playground/csp.py) takes styles from our files and from
// <style> elements that carry this response's nonce. CodeMirror, xterm.js and cytoscape write
// their own <style> elements through document.createElement; this module, which runs before any
// of them (first in the "base" bundle), gives every <style> element made that way the nonce.
// Markup that gets into the page some other way is parsed, not created here, and stays refused.

/** This response's style nonce, from the <meta property="csp-nonce"> that base.html writes. */
export function styleNonce() {
  return document.querySelector('meta[property="csp-nonce"]')?.nonce || "";
}

function nonceStyleElements() {
  const nonce = styleNonce();
  if (!nonce || document.createElement.stylesNonced) return;
  const create = document.createElement;
  function createElement(name, options) {
    const element = create.call(this, name, options);
    if (element instanceof HTMLStyleElement) element.nonce = nonce;
    return element;
  }
  createElement.stylesNonced = true;
  document.createElement = createElement;
}

nonceStyleElements();
