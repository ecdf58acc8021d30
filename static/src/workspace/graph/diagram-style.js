// The diagrams' cytoscape stylesheet in the current theme's colours: boxes, scopes drawn
// around their children, edges and their type labels, and the highlights of the selected and
// found boxes and of the boxes of the editor's line.
import { themeColor } from "../../base/theme.js";
import { PADDING } from "./layout-client.js";

function themeColors() {
  return {
    text: themeColor("--pg-text"),
    muted: themeColor("--pg-muted"),
    edge: themeColor("--pg-graph-edge"),
    scope: themeColor("--pg-graph-scope"),
    scopeBorder: themeColor("--pg-graph-scope-border"),
    focus: themeColor("--pg-focus"),
    surface: themeColor("--pg-surface"),
    accent: themeColor("--pg-accent"),
    warn: themeColor("--pg-warn"),
  };
}

// Leaves, collapsed groups and synthetic boxes.
function boxRules({ text, surface, scope, scopeBorder }) {
  const box = {
    shape: "round-rectangle",
    width: "data(w)",
    height: "data(h)",
    label: "data(label)",
    "text-wrap": "wrap",
    "text-valign": "center",
    "text-halign": "center",
    "font-family": themeColor("--pg-font") || "sans-serif",
    "font-size": 11,
    "line-height": 1.25,
    color: text,
    "background-color": surface,
    "border-width": 1,
    "border-color": scopeBorder,
    "min-zoomed-font-size": 6,
  };
  return [
    { selector: "node", style: box },
    {
      selector: "node.group",
      style: { "background-color": scope, "border-width": 2, "border-style": "double", "border-color": scopeBorder, "font-weight": "bold" },
    },
    { selector: "node.synthetic", style: { "border-style": "dashed", "border-width": 2 } },
  ];
}

// Expanded groups: boxes around their children, labelled at the top.
function compoundRule({ muted, scope, scopeBorder }) {
  return {
    selector: ":parent",
    style: {
      "background-color": scope,
      "background-opacity": 0.55,
      "border-width": 1,
      "border-style": "solid",
      "border-color": scopeBorder,
      "text-valign": "top",
      "text-halign": "center",
      "text-margin-y": -4,
      "font-weight": "bold",
      color: muted,
      padding: `${PADDING.padX}px`,
      // A nested scope's label then sits inside its parent's box, not over the parent's label.
      "compound-sizing-wrt-labels": "include",
      shape: "round-rectangle",
    },
  };
}

function edgeRules({ edge, text, surface, warn }) {
  return [
    {
      selector: "edge",
      style: { width: 1.2, "curve-style": "straight", "line-color": edge, "target-arrow-color": edge, "target-arrow-shape": "triangle", "arrow-scale": 0.8, opacity: 0.85 },
    },
    { selector: "edge.control", style: { "line-style": "dashed", "target-arrow-shape": "tee" } },
    { selector: "edge.multi", style: { width: 2.2 } },
    {
      selector: "edge.with-type",
      style: {
        label: "data(label)",
        "font-family": themeColor("--pg-mono") || "monospace",
        "font-size": 9,
        color: text,
        "text-background-color": surface,
        "text-background-opacity": 0.9,
        "text-background-padding": 1,
        "min-zoomed-font-size": 5,
      },
    },
    // A shape known only at run time (a None dimension, or no rank): its label says so in colour.
    { selector: "edge.with-type.dynamic", style: { color: warn, "font-style": "italic" } },
  ];
}

/** The rules for every diagram, then extra() ones, then selection and search highlights. */
export function stylesheet(extra) {
  const colors = themeColors();
  return [
    ...boxRules(colors),
    compoundRule(colors),
    ...edgeRules(colors),
    ...extra(),
    { selector: "node:selected", style: { "border-color": colors.focus, "border-width": 3, "border-style": "solid" } },
    { selector: "node.found", style: { "border-color": colors.focus, "border-width": 4 } },
    { selector: "node.source", style: { "border-color": colors.accent, "border-width": 4, "border-style": "solid", "overlay-color": colors.accent, "overlay-opacity": 0.12, "overlay-padding": 3 } },
  ];
}
