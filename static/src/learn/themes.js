// The themes the concept map groups concepts by, in learning order. A concept the table does
// not name still shows up, under "More".
import { t } from "./i18n.js";

export const THEMES = [
  { id: "basics", label: () => t("Basics"), hue: 210 },
  { id: "execution", label: () => t("Execution"), hue: 275 },
  { id: "keras", label: () => t("Keras"), hue: 12 },
  { id: "data", label: () => t("Data"), hue: 150 },
  { id: "scale", label: () => t("Performance and distribution"), hue: 38 },
  { id: "more", label: () => t("More"), hue: 0 },
];

// Slugs are compared with punctuation removed, so "tf-function" and "tf_function" both match.
const BY_SLUG = {
  basics: ["tensorflow", "tensorflowoverview", "overview", "tensor", "tensors", "tensoroperation", "tensoroperations", "operations", "ops"],
  execution: ["eagerexecution", "eager", "graphexecution", "graph", "graphs", "graphconversion", "savedmodel", "tffunction", "function", "autograph", "controlflow"],
  keras: ["tfkeras", "keras", "model", "models", "layer", "layers", "sequentialmodel", "sequential", "functionalapi", "functional", "lossfunction", "loss", "losses"],
  data: ["dataset", "datasets", "tfdata", "data", "dataaugmentation", "augmentation"],
  scale: ["performanceoptimization", "performance", "tfdistribute", "distribute", "distribution", "mirroredstrategy", "mirrored", "tpustrategy", "tpu"],
};

const LOOKUP = new Map();
for (const [theme, slugs] of Object.entries(BY_SLUG)) for (const slug of slugs) LOOKUP.set(slug, theme);

/** The theme id of a concept slug. */
export function themeOf(slug) {
  const key = String(slug).toLowerCase().replace(/[^a-z0-9]/g, "");
  if (LOOKUP.has(key)) return LOOKUP.get(key);
  if (/keras|layer|model|loss/.test(key)) return "keras";
  if (/data|augment/.test(key)) return "data";
  if (/distribut|strategy|tpu|gpu|perf/.test(key)) return "scale";
  if (/graph|function|eager|autograph|control/.test(key)) return "execution";
  return "more";
}

/** Concepts grouped by theme, in theme order, each group keeping the API's concept order. */
export function groupConcepts(concepts) {
  const groups = THEMES.map((theme) => ({ theme, concepts: [] }));
  const index = new Map(groups.map((group) => [group.theme.id, group]));
  for (const concept of concepts) index.get(themeOf(concept.slug)).concepts.push(concept);
  return groups.filter((group) => group.concepts.length);
}
