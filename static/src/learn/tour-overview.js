// A tour's overview page: its steps with what is done, where to continue, the concepts it
// covers, and a way to forget the progress kept in this browser.
import { getJSON } from "../base/api.js";
import { el, fill, markdownBlock } from "./dom.js";
import { pick, t } from "./i18n.js";
import { fractionDone, nextStep, resetTour, tourProgress } from "./progress.js";
import { confirmDialog, forgetCode, hasCheck, progressBar, stepStorageKey } from "./tour-common.js";

function conceptList(tour, titles) {
  if (!(tour.concepts || []).length) return null;
  return el(
    "section",
    { class: "tour-concepts" },
    el("h2", { text: t("Concepts in this tour") }),
    el(
      "ul",
      { class: "chips" },
      tour.concepts.map((concept) => el("li", {}, el("a", { class: "concept-chip", href: `/concepts/${concept}`, text: titles.get(concept) || concept }))),
    ),
  );
}

function stepList(slug, tour, done) {
  return el(
    "ol",
    { class: "tour-steps" },
    tour.steps.map((step, i) =>
      el(
        "li",
        { class: done.has(i + 1) ? "done" : "" },
        el("a", { href: `/tours/${slug}/${i + 1}`, text: pick(step.title) }),
        hasCheck(step) ? el("span", { class: "badge", text: t("exercise") }) : null,
        done.has(i + 1) ? el("span", { class: "check-mark", "aria-label": t("done"), text: "✓" }) : null,
      ),
    ),
  );
}

// "Forget my progress": asks first, then forgets the steps done and the code edited in them.
function forgetButton(slug, tour, onForgotten) {
  const forget = async () => {
    const sure = await confirmDialog(t("Forget your progress in this tour?"), t("The steps you finished and the code you edited in them are forgotten in this browser."), t("Forget it"));
    if (!sure) return;
    resetTour(slug);
    tour.steps.forEach((_, i) => forgetCode(stepStorageKey(slug, i + 1)));
    onForgotten();
  };
  return el("button", { type: "button", class: "pg-btn", text: t("Forget my progress"), onclick: forget });
}

function tourActions(slug, tour, progress, rerender) {
  const count = tour.steps.length;
  const started = progress.done.length > 0 || progress.last > 0;
  const complete = fractionDone(progress, count) >= 1;
  return el(
    "div",
    { class: "tour-actions" },
    el("a", {
      class: "pg-btn pg-btn-primary",
      href: `/tours/${slug}/${complete ? 1 : nextStep(progress, count)}`,
      text: complete ? t("Go through it again") : started ? t("Continue") : t("Start the tour"),
    }),
    started ? forgetButton(slug, tour, rerender) : null,
  );
}

// The overview as the progress kept in this browser has it; drawn again after a reset.
function renderOverview(root, slug, tour, concepts) {
  const progress = tourProgress(slug);
  fill(root.querySelector("[data-tour-article]"),
    el("h1", { text: pick(tour.title) }),
    tour.summary ? markdownBlock(pick(tour.summary)) : null,
    progressBar(tour, 0),
    stepList(slug, tour, new Set(progress.done)),
    tourActions(slug, tour, progress, () => renderOverview(root, slug, tour, concepts)),
    concepts,
  );
}

export async function mountTourOverview(root) {
  const slug = root.dataset.slug;
  const [tour, catalogue] = await Promise.all([getJSON(`/api/tours/${slug}`), getJSON("/api/concepts").catch(() => [])]);
  const titles = new Map(catalogue.map((item) => [item.slug, pick(item.title)]));
  const concepts = conceptList(tour, titles);
  document.title = `${pick(tour.title)} · ${document.title.split(" · ").pop()}`;
  renderOverview(root, slug, tour, concepts);
  root.dataset.ready = "true";
}
