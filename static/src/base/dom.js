// A tiny element builder. Text always goes in as text nodes; there is deliberately no way to
// pass markup, so nothing a program prints or a server sends can become elements.

/**
 * el("button", {class: "pg-btn", onclick: fn, "aria-label": "Run"}, "Run", childNode)
 * Props: class, text, dataset {..}, style {..}, on<event> handlers, booleans (true sets the
 * attribute, false/null leaves it out), anything else becomes an attribute.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") Object.assign(node.style, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

/** Appends children (nodes, strings, numbers, nested arrays; null skipped) as nodes/text. */
export function append(node, children) {
  for (const child of [children].flat(Infinity)) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Removes every child of node. */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/** The parsed JSON of a <script type="application/json" id=...> written by json_script. */
export function pageData(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

let counter = 0;
/** A page-unique id for aria wiring. */
export function uid(prefix = "pg") {
  counter += 1;
  return `${prefix}-${counter}`;
}
