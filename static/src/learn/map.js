// The concept map on the home page: one box per theme laid out in learning order, the concepts
// stacked inside, and an edge for every pair that the catalogue lists as related. Positions are
// computed here (cytoscape's "preset" layout) so the map is the same on every visit.
import cytoscape from "cytoscape";
import { currentTheme, onThemeChange, themeColor } from "../base/theme.js";
import { pick } from "./i18n.js";
import { layoutConcepts, NODE_H, NODE_W } from "./layout.js";
import { groupConcepts } from "./themes.js";


function palette() {
  const dark = currentTheme() === "dark";
  return {
    text: themeColor("--pg-text") || (dark ? "#e5e9f0" : "#1b2230"),
    muted: themeColor("--pg-muted") || (dark ? "#9aa4b5" : "#556072"),
    edge: themeColor("--pg-graph-edge") || "#8a94a6",
    highlight: themeColor("--pg-accent") || "#d35f00",
    fill: (hue) => (hue ? (dark ? `hsl(${hue}, 38%, 24%)` : `hsl(${hue}, 85%, 95%)`) : dark ? "#2c3140" : "#f1f2f5"),
    border: (hue) => (hue ? (dark ? `hsl(${hue}, 70%, 62%)` : `hsl(${hue}, 60%, 42%)`) : dark ? "#8c96ab" : "#7d879b"),
    box: (hue) => (hue ? (dark ? `hsl(${hue}, 30%, 14%)` : `hsl(${hue}, 70%, 98.5%)`) : dark ? "#1c1f28" : "#fafafa"),
  };
}

/** Every related pair once, whichever side listed it, and only between known concepts. */
export function relatedPairs(concepts) {
  const known = new Set(concepts.map((concept) => concept.slug));
  const seen = new Set();
  const pairs = [];
  for (const concept of concepts) {
    for (const other of concept.related || []) {
      if (!known.has(other) || other === concept.slug) continue;
      const key = [concept.slug, other].sort().join(" ");
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push([concept.slug, other]);
    }
  }
  return pairs;
}

/** The map's label: a title's head, before any " — subtitle" (the caption shows the rest). */
export function shortTitle(title) {
  return title.split(/\s+[—–]\s+/)[0];
}

function elements(concepts) {
  const groups = groupConcepts(concepts);
  const pairs = relatedPairs(concepts);
  const at = layoutConcepts(groups, pairs);
  const nodes = [];
  for (const { theme, concepts: members } of groups) {
    nodes.push({ data: { id: `theme:${theme.id}`, label: theme.label(), hue: theme.hue, kind: "theme" }, selectable: false });
    for (const concept of members) {
      nodes.push({
        data: { id: concept.slug, parent: `theme:${theme.id}`, label: shortTitle(pick(concept.title)), hue: theme.hue, kind: "concept" },
        position: at.get(concept.slug),
      });
    }
  }
  const edges = pairs.map(([source, target]) => ({ data: { id: `${source}--${target}`, source, target } }));
  return [...nodes, ...edges];
}

function themeRule(colours) {
  return {
    selector: "node[kind = 'theme']",
    style: {
      shape: "round-rectangle",
      "background-color": (node) => colours.box(node.data("hue")),
      "border-color": (node) => colours.border(node.data("hue")),
      "border-width": 1,
      "border-opacity": 0.45,
      label: "data(label)",
      "text-valign": "top",
      "text-halign": "center",
      "text-margin-y": -6,
      "font-size": 15,
      "font-weight": 600,
      color: colours.muted,
      padding: 18,
      "z-compound-depth": "bottom",
    },
  };
}

function conceptRule(colours) {
  return {
    selector: "node[kind = 'concept']",
    style: {
      shape: "round-rectangle",
      width: NODE_W,
      height: NODE_H,
      "background-color": (node) => colours.fill(node.data("hue")),
      "border-color": (node) => colours.border(node.data("hue")),
      "border-width": 1.5,
      label: "data(label)",
      "text-wrap": "wrap",
      "text-max-width": NODE_W - 14,
      "text-valign": "center",
      "text-halign": "center",
      "font-size": 13,
      "line-height": 1.15,
      color: colours.text,
      "z-index": 10,
    },
  };
}

function style(colours) {
  return [
    themeRule(colours),
    conceptRule(colours),
    { selector: "edge", style: { width: 1.4, "line-color": colours.edge, opacity: 0.38, "curve-style": "straight", "z-index": 1 } },
    { selector: ".faded", style: { opacity: 0.18 } },
    { selector: "edge.near", style: { opacity: 1, width: 2.4, "line-color": colours.highlight, "z-index": 5 } },
    { selector: "node.focus", style: { "border-width": 3, "border-color": colours.highlight } },
  ];
}

const CONCEPT = "node[kind = 'concept']";

// Hovering a concept fades all but it and its relations; a tap opens it.
function wirePointer(cy, container, bySlug, { onOpen, onHover }) {
  cy.on("mouseover", CONCEPT, (event) => {
    const node = event.target;
    const near = node.closedNeighborhood();
    cy.elements().not(near).not("node[kind = 'theme']").addClass("faded");
    near.edges().addClass("near");
    node.addClass("focus");
    container.style.cursor = "pointer";
    if (onHover) onHover(bySlug.get(node.id()));
  });
  cy.on("mouseout", CONCEPT, () => {
    cy.elements().removeClass("faded near focus");
    container.style.cursor = "";
    if (onHover) onHover(null);
  });
  cy.on("tap", CONCEPT, (event) => onOpen && onOpen(event.target.id()));
}

// Where a concept is drawn, in page coordinates.
function positionOf(cy, container, slug) {
  const node = cy.getElementById(slug);
  if (!node.length) return null;
  const box = container.getBoundingClientRect();
  const at = node.renderedPosition();
  return { x: box.left + window.scrollX + at.x, y: box.top + window.scrollY + at.y };
}

/**
 * Draws the map into `container`; `onOpen(slug)` runs when a concept is clicked or tapped and
 * `onHover(concept | null)` when the pointer enters or leaves one.
 */
export function drawConceptMap(container, concepts, { onOpen, onHover } = {}) {
  const bySlug = new Map(concepts.map((concept) => [concept.slug, concept]));
  const cy = cytoscape({
    container,
    elements: elements(concepts),
    style: style(palette()),
    layout: { name: "preset", fit: true, padding: 24 },
    userZoomingEnabled: false,
    userPanningEnabled: false,
    boxSelectionEnabled: false,
    autoungrabify: true,
    autounselectify: true,
  });
  wirePointer(cy, container, bySlug, { onOpen, onHover });
  const refit = () => {
    cy.resize();
    cy.fit(undefined, 24);
  };
  new ResizeObserver(refit).observe(container);
  onThemeChange(() => cy.style(style(palette())));

  container.dataset.concepts = String(cy.nodes(CONCEPT).length);
  container.dataset.relations = String(cy.edges().length);
  return {
    cy,
    /** Where a concept is drawn, in page coordinates (for tests and for scrolling to it). */
    positionOf: (slug) => positionOf(cy, container, slug),
  };
}
