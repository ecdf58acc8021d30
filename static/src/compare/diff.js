// A line diff (longest common subsequence, after the common head and tail are set aside),
// laid out side by side: unchanged lines, lines only on the left or the right, and changed
// lines paired.

const MAX_CELLS = 4_000_000; // past this the middle is shown unpaired rather than diffed

function lcsOps(a, b) {
  const n = a.length;
  const m = b.length;
  const width = m + 1;
  const table = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] = a[i] === b[j] ? table[(i + 1) * width + j + 1] + 1 : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
    }
  }
  const ops = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push(["same", i++, j++]);
    } else if (table[(i + 1) * width + j] >= table[i * width + j + 1]) {
      ops.push(["del", i++, null]);
    } else {
      ops.push(["add", null, j++]);
    }
  }
  while (i < n) ops.push(["del", i++, null]);
  while (j < m) ops.push(["add", null, j++]);
  return ops;
}

/** Operations turning lines `a` into lines `b`: ["same"|"del"|"add", indexA, indexB]. */
export function diffLines(a, b) {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const ops = [];
  for (let k = 0; k < head; k++) ops.push(["same", k, k]);
  if (midA.length * midB.length <= MAX_CELLS) {
    for (const [kind, i, j] of lcsOps(midA, midB)) ops.push([kind, i === null ? null : i + head, j === null ? null : j + head]);
  } else {
    midA.forEach((_, k) => ops.push(["del", k + head, null]));
    midB.forEach((_, k) => ops.push(["add", null, k + head]));
  }
  for (let k = tail; k > 0; k--) ops.push(["same", a.length - k, b.length - k]);
  return ops;
}

/** Side-by-side rows: {kind: same|change|del|add, left: index|null, right: index|null}. */
export function sideBySide(ops) {
  const rows = [];
  let dels = [];
  let adds = [];
  const flush = () => {
    const count = Math.max(dels.length, adds.length);
    for (let k = 0; k < count; k++) {
      const left = k < dels.length ? dels[k] : null;
      const right = k < adds.length ? adds[k] : null;
      rows.push({ kind: left !== null && right !== null ? "change" : left !== null ? "del" : "add", left, right });
    }
    dels = [];
    adds = [];
  };
  for (const [kind, i, j] of ops) {
    if (kind === "del") dels.push(i);
    else if (kind === "add") adds.push(j);
    else {
      flush();
      rows.push({ kind: "same", left: i, right: j });
    }
  }
  flush();
  return rows;
}
