// Colours of op categories in both themes, as cytoscape rules and as legend chips.
import { currentTheme } from "../../base/theme.js";
import { t } from "../../base/i18n.js";

const COLORS = {
  control: ["#ffd9b3", "#5c3b16", "#d9822b"],
  io: ["#e6e8ec", "#2f3541", "#9aa3b2"],
  variable: ["#c8efe6", "#163f39", "#2f9e8a"],
  random: ["#d8f3c8", "#26421c", "#5aa837"],
  nn: ["#e4d8fb", "#392b5c", "#8b6fd6"],
  compare: ["#fad3e3", "#4e2237", "#d0578a"],
  array: ["#fbeec0", "#4a3e13", "#c29a1c"],
  grad: ["#d4e3fc", "#20335a", "#5b86d6"],
  math: ["#d4ebfa", "#1b3549", "#4a98cc"],
  layer: ["#dfe9f7", "#233247", "#6b8fc2"],
  scope: ["#eef1f6", "#262c37", "#98a3b5"],
  model: ["#f4e4d0", "#45311c", "#c08a4a"],
};

export function categoryLabel(name) {
  const labels = {
    control: t("control flow"),
    io: t("inputs, constants, identity"),
    variable: t("variables"),
    random: t("random"),
    nn: t("neural network"),
    compare: t("comparison and logic"),
    array: t("shapes and slicing"),
    grad: t("gradients"),
    math: t("math"),
    scope: t("name scopes (collapsed)"),
  };
  return labels[name] || name;
}

export function fill(name) {
  const entry = COLORS[name] || COLORS.math;
  return currentTheme() === "dark" ? entry[1] : entry[0];
}

export function stroke(name) {
  return (COLORS[name] || COLORS.math)[2];
}

/** cytoscape rules for nodes classed `cat-<name>`. */
export function categoryRules() {
  return Object.keys(COLORS).map((name) => ({
    selector: `node.cat-${name}`,
    style: { "background-color": fill(name), "border-color": stroke(name) },
  }));
}
