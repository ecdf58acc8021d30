// One tour step: its text, its editable snippet in the workspace, the Check flow (run the code,
// then ask the server to grade that run), hints one at a time, the solution behind a
// confirmation, next/previous and the progress bar. Progress lives in the browser.
import { getJSON, postJSON } from "../base/api.js";
import { BUSY_STATUSES, SUCCEEDED, WORKER_LOST } from "../base/statuses.js";
import { el, fill, markdownBlock } from "./dom.js";
import { format, pick, t } from "./i18n.js";
import { markDone, markSolutionShown, markVisited, tourProgress } from "./progress.js";
import { confirmDialog, hasCheck, progressBar, stepStorageKey } from "./tour-common.js";
import { mountWorkspace, stateOf } from "./workspace.js";

const RUN_TIMEOUT_MS = 180_000;

/**
 * Hands out promises of the next finished run record. The workspace reports a finished run
 * through onFinish; a run that never started (rejected) or whose worker went away only shows
 * on the workspace's state, so that is watched too.
 */
function finishedRuns() {
  let waiting = [];
  const settle = (outcome) => {
    const now = waiting;
    waiting = [];
    for (const entry of now) entry(outcome);
  };
  return {
    onFinish(record) {
      settle(record ? { record } : { error: new Error(t("The finished run could not be fetched.")) });
    },
    watch(workspace) {
      new MutationObserver(() => {
        const state = stateOf(workspace);
        if (state === "rejected") settle({ error: new Error(t("The run did not start: the output pane says why.")) });
        if (state === WORKER_LOST) settle({ error: new Error(t("The worker running the code went away; try again.")) });
      }).observe(workspace.element, { attributes: true, attributeFilter: ["data-state"] });
    },
    next() {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(t("The run did not finish in time."))), RUN_TIMEOUT_MS);
        waiting.push(({ record, error }) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(record);
        });
      });
    },
  };
}

function resultList(verdict) {
  return el(
    "ul",
    { class: "check-results" },
    (verdict.results || []).map((result) =>
      el(
        "li",
        { class: result.passed ? "passed" : "failed", dataset: { kind: result.kind } },
        el("span", { class: "result-mark", "aria-hidden": "true", text: result.passed ? "✓" : "✗" }),
        el("span", { class: "pg-visually-hidden", text: result.passed ? t("Passed:") : t("Failed:") }),
        el(
          "span",
          { class: "result-text" },
          el("span", { class: "result-message", text: pick(result.message) }),
          // When a check fails with the author's hint, also say what the run actually did.
          !result.passed && result.detail && pick(result.detail) !== pick(result.message)
            ? el("span", { class: "result-detail", text: pick(result.detail) })
            : null,
        ),
      ),
    ),
  );
}

function setStatus(status, kind, text) {
  status.className = `check-status ${kind}`;
  status.textContent = text;
}

// Runs the code, waits for the run to finish, asks the server to grade it and shows the verdict.
async function runAndCheck(ctx, { status, results }) {
  const { slug, number, workspace, runs } = ctx;
  results.replaceChildren();
  setStatus(status, "busy", t("Running your code…"));
  try {
    const finished = runs.next();
    await workspace.run();
    const record = await finished;
    status.textContent = t("Checking…");
    const verdict = await postJSON(`/api/tours/${slug}/steps/${number}/check`, { run: record.id });
    const text = verdict.passed ? t("Well done: every check passed.") : t("Not yet: see what failed below, fix the code and check again.");
    setStatus(status, verdict.passed ? "passed" : "failed", text);
    results.replaceChildren(resultList(verdict));
    if (verdict.passed) ctx.onPassed();
  } catch (error) {
    setStatus(status, "failed", format(t("Could not check this run: %(reason)s"), { reason: error.message }));
  }
}

function checkPanel(ctx) {
  const button = el("button", { type: "button", class: "pg-btn pg-btn-primary", dataset: { check: "" }, text: t("Check my answer") });
  const status = el("p", { class: "check-status", role: "status", "aria-live": "polite" });
  const results = el("div", { class: "check-output", dataset: { checkResults: "" } });
  button.addEventListener("click", async () => {
    if (BUSY_STATUSES.has(stateOf(ctx.workspace))) {
      setStatus(status, "busy", t("A run is still going: check again when it has finished."));
      return;
    }
    button.disabled = true;
    try {
      await runAndCheck(ctx, { status, results });
    } finally {
      button.disabled = false;
    }
  });
  return el(
    "section",
    { class: "check-panel" },
    el("h2", { text: t("Exercise") }),
    el("p", { class: "check-help", text: t("Edit the code, then check it: it runs and the result is compared with what the step asks for.") }),
    button,
    status,
    results,
  );
}

function hintPanel(step) {
  const hints = step.hints || [];
  if (!hints.length) return null;
  const list = el("ol", { class: "hints", dataset: { hints: "" } });
  const button = el("button", { type: "button", class: "pg-btn", dataset: { hint: "" } });
  const label = () => {
    const shown = list.children.length;
    button.textContent = shown === 0 ? format(t("Show a hint (%(count)s available)"), { count: hints.length }) : format(t("Show another hint (%(shown)s of %(count)s shown)"), { shown, count: hints.length });
    button.hidden = shown >= hints.length;
  };
  button.addEventListener("click", () => {
    const hint = hints[list.children.length];
    list.append(markdownBlock(pick(hint), "prose", "li"));
    label();
  });
  label();
  return el("section", { class: "hint-panel" }, el("h2", { text: t("Hints") }), list, button);
}

function solutionPanel(ctx) {
  const { slug, number, step, workspace } = ctx;
  if (!step.solution) return null;
  const box = el("div", { class: "solution", hidden: true, dataset: { solution: "" } });
  const button = el("button", { type: "button", class: "pg-btn", dataset: { revealSolution: "" }, text: t("Reveal the solution") });
  const reveal = () => {
    button.hidden = true;
    box.hidden = false;
    box.replaceChildren(
      el("pre", { class: "example-code" }, el("code", { text: step.solution })),
      el("button", {
        type: "button",
        class: "pg-btn pg-btn-primary",
        dataset: { useSolution: "" },
        text: t("Put the solution in the editor"),
        onclick: () => {
          workspace.setCode(step.solution);
          workspace.focus?.();
        },
      }),
    );
  };
  button.addEventListener("click", async () => {
    const sure = await confirmDialog(
      t("Reveal the solution?"),
      t("Trying is how this sticks: the hints may be enough. You can still check the solution afterwards."),
      t("Show it"),
    );
    if (!sure) return;
    markSolutionShown(slug, number);
    reveal();
  });
  // Once shown, the solution stays open on later visits without asking again.
  if (tourProgress(slug).solved.includes(number)) reveal();
  return el("section", { class: "solution-panel" }, el("h2", { text: t("Solution") }), button, box);
}

function stepNav(slug, number, count, onNext) {
  const previous = number > 1 ? el("a", { class: "pg-btn", rel: "prev", href: `/tours/${slug}/${number - 1}`, text: `← ${t("Previous")}` }) : el("span");
  const next =
    number < count
      ? el("a", { class: "pg-btn next", rel: "next", href: `/tours/${slug}/${number + 1}`, text: `${t("Next")} →`, onclick: onNext })
      : el("a", { class: "pg-btn next", href: `/tours/${slug}`, text: t("Finish the tour"), onclick: onNext });
  return el("nav", { class: "step-nav", "aria-label": t("Tour steps") }, previous, next);
}

function mountStepWorkspace(root, ctx) {
  const { tour, step, slug, number, runs } = ctx;
  const workspace = mountWorkspace(root.querySelector("[data-workspace]"), {
    code: step.code,
    concept: (tour.concepts || [])[0],
    mode: step.mode,
    compareEager: Boolean(step.compare_eager),
    storageKey: stepStorageKey(slug, number),
    onFinish: (record) => {
      runs.onFinish(record);
      // A step without an exercise is done once its code has run through.
      if (!ctx.checked && record && record.status === SUCCEEDED) ctx.onPassed();
    },
  });
  runs.watch(workspace);
  return workspace;
}

function fillArticle(ctx) {
  const { slug, number, tour, step, count, checked } = ctx;
  fill(ctx.article,
    el("p", { class: "step-kicker" }, el("a", { href: `/tours/${slug}`, text: pick(tour.title) }), " · ", format(t("Step %(n)s of %(count)s"), { n: number, count })),
    el("h1", { text: pick(step.title) }),
    markdownBlock(pick(step.text), "prose step-text"),
    checked ? checkPanel(ctx) : el("p", { class: "run-to-finish" }, t("Run the code to complete this step; change it and run it again to see what moves.")),
    hintPanel(step),
    solutionPanel(ctx),
    stepNav(slug, number, count, () => {
      if (!checked) markDone(slug, number);
    }),
  );
}

export async function mountTourStep(root) {
  const slug = root.dataset.slug;
  const number = Number(root.dataset.step);
  const tour = await getJSON(`/api/tours/${slug}`);
  const step = tour.steps[number - 1];
  markVisited(slug, number);
  const bar = root.querySelector("[data-tour-progress]");
  const article = root.querySelector("[data-step-article]");
  const refreshBar = () => bar.replaceChildren(progressBar(tour, number));
  const ctx = { slug, number, tour, step, count: tour.steps.length, checked: hasCheck(step), article, runs: finishedRuns() };
  ctx.onPassed = () => {
    markDone(slug, number);
    refreshBar();
    article.classList.add("is-done");
  };
  ctx.workspace = mountStepWorkspace(root, ctx);
  document.title = `${pick(step.title)} · ${pick(tour.title)} · ${document.title.split(" · ").pop()}`;
  refreshBar();
  if (tourProgress(slug).done.includes(number)) article.classList.add("is-done");
  fillArticle(ctx);
  root.dataset.ready = "true";
  return ctx.workspace;
}
