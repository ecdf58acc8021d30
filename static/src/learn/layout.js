// Where each concept sits on the map. Themes are boxes on two rows, each box a small grid of
// concepts; inside a box the concepts are arranged to keep related ones close and to keep
// lines from running through other concepts. Pure functions, so the map is the same every time.

export const NODE_W = 164;
export const NODE_H = 48;
export const COLUMN = 196; // node width + gap
export const ROW = 78; // node height + gap
const GROUP_GAP = 64;
const ROW_GAP = 116; // room for the next row's theme labels
const CROSSING = 420; // a line through another concept costs as much as this much extra length
const DISPLACED = 30; // each slot a concept moves from its catalogue position costs this much

// How each theme's box is shaped: which row of boxes it sits on and how many columns it has.
const SHAPES = {
  basics: { row: 0, cols: 1 },
  execution: { row: 0, cols: 2 },
  keras: { row: 0, cols: 2 },
  data: { row: 1, cols: 3 },
  scale: { row: 1, cols: 2 },
  more: { row: 1, cols: 2 },
};

function slotsOf(shape, count) {
  const cols = Math.min(shape.cols, count);
  const rows = Math.ceil(count / cols);
  const slots = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) slots.push({ c, r });
  return { cols, rows, slots };
}

function segmentHitsBox(a, b, box) {
  // Liang–Barsky clipping of segment a→b against an axis-aligned box.
  let t0 = 0;
  let t1 = 1;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const edges = [
    [-dx, a.x - box.x0],
    [dx, box.x1 - a.x],
    [-dy, a.y - box.y0],
    [dy, box.y1 - a.y],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
      continue;
    }
    const r = q / p;
    if (p < 0) t0 = Math.max(t0, r);
    else t1 = Math.min(t1, r);
    if (t0 > t1) return false;
  }
  return true;
}

function cost(edges, at, boxes) {
  let total = 0;
  for (const [a, b] of edges) {
    const p = at.get(a);
    const q = at.get(b);
    if (!p || !q) continue;
    total += Math.hypot(p.x - q.x, p.y - q.y);
    for (const [slug, box] of boxes) {
      if (slug !== a && slug !== b && segmentHitsBox(p, q, box)) total += CROSSING;
    }
  }
  return total;
}

function* permutations(items) {
  if (items.length <= 1) {
    yield items.slice();
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = items.slice(0, i).concat(items.slice(i + 1));
    for (const tail of permutations(rest)) yield [items[i], ...tail];
  }
}

function boxAround(point) {
  const pad = 4;
  return { x0: point.x - NODE_W / 2 + pad, x1: point.x + NODE_W / 2 - pad, y0: point.y - NODE_H / 2 + pad, y1: point.y + NODE_H / 2 - pad };
}

// Box origins: left to right on each row, rows stacked. Returns slotPoint(group, slot), the
// centre of a slot of a group's box, each row of boxes centred under the widest.
function placeBoxes(placed) {
  const rowHeights = [0, 0];
  const rowWidths = [0, 0];
  const origin = new Map();
  for (const group of placed) {
    const { cols, rows } = slotsOf(group.shape, group.concepts.length);
    group.grid = slotsOf(group.shape, group.concepts.length);
    const row = group.shape.row;
    origin.set(group.theme.id, { x: rowWidths[row], row });
    rowWidths[row] += cols * COLUMN + GROUP_GAP;
    rowHeights[row] = Math.max(rowHeights[row], rows * ROW);
  }
  const widest = Math.max(...rowWidths);
  return (group, slot) => {
    const o = origin.get(group.theme.id);
    const shift = (widest - rowWidths[o.row]) / 2;
    const y0 = o.row === 0 ? 0 : rowHeights[0] + ROW_GAP;
    return { x: shift + o.x + slot.c * COLUMN, y: y0 + slot.r * ROW };
  };
}

// Tries every order of one box's concepts in its slots and keeps the cheapest in `at`.
function arrangeBox(group, pairs, at, slotPoint) {
  const members = group.concepts.map((concept) => concept.slug);
  if (members.length < 2 || members.length > 7) return;
  const mine = new Set(members);
  const touching = pairs.filter(([a, b]) => mine.has(a) || mine.has(b));
  const slotIndexes = group.grid.slots.map((_, i) => i);
  let best = null;
  let bestCost = Infinity;
  for (const order of permutations(slotIndexes)) {
    members.forEach((slug, i) => at.set(slug, slotPoint(group, group.grid.slots[order[i]])));
    const boxes = [...at].map(([slug, point]) => [slug, boxAround(point)]);
    const value = cost(touching, at, boxes) + DISPLACED * order.reduce((sum, slot, i) => sum + Math.abs(slot - i), 0);
    if (value < bestCost - 1e-6) {
      bestCost = value;
      best = order;
    }
  }
  members.forEach((slug, i) => at.set(slug, slotPoint(group, group.grid.slots[best[i]])));
}

/**
 * groups: [{theme: {id}, concepts: [{slug}]}] in theme order; pairs: [[slug, slug]].
 * Returns Map slug -> {x, y} (node centres).
 */
export function layoutConcepts(groups, pairs) {
  const placed = groups.map((group) => ({ ...group, shape: SHAPES[group.theme.id] || SHAPES.more }));
  const slotPoint = placeBoxes(placed);
  const at = new Map();
  for (const group of placed) group.concepts.forEach((concept, i) => at.set(concept.slug, slotPoint(group, group.grid.slots[i])));
  // Improve each box's arrangement in turn, twice round; ties keep the catalogue's order.
  for (let pass = 0; pass < 2; pass++) {
    for (const group of placed) arrangeBox(group, pairs, at, slotPoint);
  }
  return at;
}
