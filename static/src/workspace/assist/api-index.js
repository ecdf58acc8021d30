// The API index scripts/api_index.py builds from the worker's TensorFlow, Keras and NumPy:
// fetched once, when an editor first needs it, from the hashed file build.mjs names
// (__API_INDEX__); then dotted names resolve through aliases (`a`) and a class's members through
// its indexed ancestors (`b`). Entry fields are described in scripts/api_index.py.

/* global __API_INDEX__ */
const INDEX_FILE = typeof __API_INDEX__ === "string" ? __API_INDEX__ : null;
const MAX_ALIAS_HOPS = 8;

let loading = null;
let ready = null;

/** The index if it has arrived, else null (and nothing is fetched). */
export function loadedIndex() {
  return ready;
}

/** Resolves with the index (null when the build had none or it could not be fetched). */
export function loadIndex() {
  if (!loading) {
    loading = fetchIndex().then((index) => {
      ready = index;
      return index;
    });
  }
  return loading;
}

async function fetchIndex() {
  if (!INDEX_FILE) return null;
  try {
    const response = await fetch(new URL(INDEX_FILE, import.meta.url), { credentials: "same-origin" });
    if (!response.ok) return null;
    return new ApiIndex(await response.json());
  } catch {
    return null;
  }
}

// Parent name -> the short names under it, for listing a module's or a class's members.
function childrenByParent(names) {
  const children = new Map();
  for (const name of Object.keys(names)) {
    const dot = name.lastIndexOf(".");
    if (dot < 0) continue;
    const parent = name.slice(0, dot);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(name.slice(dot + 1));
  }
  return children;
}

export class ApiIndex {
  constructor({ meta, names }) {
    this.meta = meta || {};
    this.names = names || {};
    this.children = childrenByParent(this.names);
    this.cache = new Map();
  }

  /** The canonical name of a dotted name (aliases followed, inherited members found), or null. */
  resolve(name) {
    if (!name) return null;
    if (this.cache.has(name)) return this.cache.get(name);
    const found = this.lookUp(name);
    this.cache.set(name, found);
    return found;
  }

  lookUp(name) {
    if (name in this.names) return this.follow(name);
    const dot = name.lastIndexOf(".");
    if (dot < 0) return null;
    const parent = this.resolve(name.slice(0, dot));
    return parent ? this.member(parent, name.slice(dot + 1)) : null;
  }

  follow(name) {
    let current = name;
    for (let hop = 0; hop < MAX_ALIAS_HOPS; hop += 1) {
      const entry = this.names[current];
      if (!entry) return null;
      if (!entry.a) return current;
      current = entry.a;
    }
    return null;
  }

  /** The canonical name of `member` of a resolved module or class (searching its ancestors). */
  member(owner, member) {
    const own = `${owner}.${member}`;
    if (own in this.names) return this.follow(own);
    for (const base of this.names[owner]?.b || []) {
      const inherited = `${base}.${member}`;
      if (inherited in this.names) return this.follow(inherited);
    }
    return null;
  }

  /** The entry of a dotted name, {name: canonical, ...fields}, or null. */
  entry(name) {
    const canonical = this.resolve(name);
    return canonical ? { name: canonical, ...this.names[canonical] } : null;
  }

  /** The members of a module or class: [{label, name}] (a class's own first, then inherited). */
  members(name) {
    const canonical = this.resolve(name);
    if (!canonical) return [];
    const owners = [canonical, ...(this.names[canonical].b || [])];
    const seen = new Set();
    const out = [];
    for (const owner of owners) {
      for (const label of this.children.get(owner) || []) {
        if (seen.has(label)) continue;
        seen.add(label);
        out.push({ label, name: `${owner}.${label}` });
      }
    }
    return out;
  }
}

/** The index name of a module a snippet imports ("tensorflow.keras" -> "tf.keras"), or null. */
export function indexModule(moduleName) {
  const [head, ...rest] = moduleName.split(".");
  const root = { tensorflow: "tf", keras: "keras", numpy: "numpy" }[head];
  return root ? [root, ...rest].join(".") : null;
}

/** The signature's parameters as text: "(units, activation=None)". */
export function signatureText(entry) {
  return entry && Array.isArray(entry.p) ? `(${entry.p.join(", ")})` : "";
}

/** The parameters a call can name: those that are not positional-only, *args or **kwargs. */
export function keywordNames(entry) {
  const params = entry?.p || [];
  const slash = params.indexOf("/");
  return params
    .slice(slash + 1)
    .filter((p) => p !== "*" && !p.startsWith("*"))
    .map((p) => p.split("=")[0]);
}
