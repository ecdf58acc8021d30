// Tour progress kept in the browser (localStorage): which steps are done and where the learner
// was. Step numbers are 1-based, as in the page URLs.

const KEY = "tfpg.learn.progress.v1";

function load() {
  try {
    const data = JSON.parse(localStorage.getItem(KEY) || "{}");
    return data && typeof data === "object" && data.tours ? data : { tours: {} };
  } catch {
    return { tours: {} };
  }
}

function save(data) {
  try {
    localStorage.setItem(KEY, JSON.stringify(data));
  } catch {
    // Private mode or a full quota: progress is a convenience, the page works without it.
  }
}

function entry(data, tour) {
  const item = data.tours[tour] || {};
  data.tours[tour] = {
    done: Array.isArray(item.done) ? item.done : [],
    last: Number.isInteger(item.last) ? item.last : 0,
    solved: Array.isArray(item.solved) ? item.solved : [],
  };
  return data.tours[tour];
}

/** {done: [step], last: step, solved: [step]} for one tour. */
export function tourProgress(tour) {
  return entry(load(), tour);
}

export function markVisited(tour, step) {
  const data = load();
  entry(data, tour).last = step;
  save(data);
}

export function markDone(tour, step) {
  const data = load();
  const item = entry(data, tour);
  if (!item.done.includes(step)) item.done.push(step);
  item.done.sort((a, b) => a - b);
  save(data);
}

/** Remembers that the solution of a step was revealed (shown beside the step, not held against anyone). */
export function markSolutionShown(tour, step) {
  const data = load();
  const item = entry(data, tour);
  if (!item.solved.includes(step)) item.solved.push(step);
  save(data);
}

export function resetTour(tour) {
  const data = load();
  delete data.tours[tour];
  save(data);
}

/** Share of the steps done, 0..1, counting only steps that exist. */
export function fractionDone(progress, stepCount) {
  if (!stepCount) return 0;
  return progress.done.filter((step) => step >= 1 && step <= stepCount).length / stepCount;
}

/** The step to continue from: the first not done after the last visited, else the first not done. */
export function nextStep(progress, stepCount) {
  const done = new Set(progress.done);
  for (let step = Math.max(progress.last, 1); step <= stepCount; step++) if (!done.has(step)) return step;
  for (let step = 1; step <= stepCount; step++) if (!done.has(step)) return step;
  return Math.min(Math.max(progress.last, 1), stepCount || 1);
}
