// Which concept page covers an indexed name: the longest entry of COVERS that is the name or a
// prefix of it (at a dot, or anywhere for an entry ending in `*`), kept only when the catalogue
// (GET /api/concepts, fetched once) has that concept; its title in the page's language.
// tests/assets/test_api_index.py checks every name here against the index and every slug against
// the catalogue's content.
import { getJSON } from "../../base/api.js";
import { currentLanguage } from "../../base/i18n.js";

// Canonical index names (scripts/api_index.py: keras.layers.Dense, not tf.keras.layers.Dense).
export const COVERS = {
  "tf.function": "tf-function",
  "tf.autograph": "autograph",
  "tf.cond": "control-flow",
  "tf.while_loop": "control-flow",
  "tf.case": "control-flow",
  "tf.switch_case": "control-flow",
  "tf.data.Dataset": "dataset",
  "tf.data": "tf-data",
  "tf.executing_eagerly": "eager-execution",
  "tf.config.run_functions_eagerly": "eager-execution",
  "tf.Graph": "graph-execution",
  "tf.compat.v1.Session": "graph-execution",
  "tf.Tensor": "tensor",
  "tf.constant": "tensor",
  "tf.math": "tensor-operation",
  "tf.distribute.MirroredStrategy": "mirrored-strategy",
  "tf.distribute.TPUStrategy": "tpu-strategy",
  "tf.distribute": "tf-distribute",
  "keras.layers.Random*": "data-augmentation",
  "keras.Input": "functional-api",
  "keras.Sequential": "sequential-model",
  "keras.Model": "model",
  "keras.Layer": "layer",
  "keras.layers": "layer",
  "keras.Loss": "loss-function",
  "keras.losses": "loss-function",
  keras: "tf-keras",
};

let catalogue = null;

function covers(key, name) {
  if (key.endsWith("*")) return name.startsWith(key.slice(0, -1));
  return name === key || name.startsWith(`${key}.`);
}

/** The slug of the concept that covers a canonical name, or null. */
export function conceptSlug(name) {
  let best = null;
  for (const key of Object.keys(COVERS)) {
    if (covers(key, name) && (!best || key.length > best.length)) best = key;
  }
  return best ? COVERS[best] : null;
}

function titles() {
  if (!catalogue) {
    catalogue = getJSON("/api/concepts")
      .then((list) => new Map(list.map((c) => [c.slug, c.title?.[currentLanguage()] || c.title?.en || c.slug])))
      .catch(() => new Map());
  }
  return catalogue;
}

/** Resolves with {slug, title} of the concept that covers the name, or null. */
export async function conceptFor(name) {
  const slug = conceptSlug(name);
  if (!slug) return null;
  const known = await titles();
  return known.has(slug) ? { slug, title: known.get(slug) } : null;
}
