// The home page: the concept map (or a list on narrow screens), the tours with the learner's
// progress, and the way to a blank playground.
import { getJSON } from "../base/api.js";
import { el, showLoadError } from "./dom.js";
import { format, pick, t, tn } from "./i18n.js";
import { drawConceptMap } from "./map.js";
import { fractionDone, nextStep, tourProgress } from "./progress.js";
import { groupConcepts } from "./themes.js";

function conceptList(concepts) {
  return groupConcepts(concepts).map(({ theme, concepts: members }) => {
    const group = el(
      "section",
      { class: "concept-group", dataset: { theme: theme.id } },
      el("h3", { text: theme.label() }),
      el(
        "ul",
        {},
        members.map((concept) =>
          el(
            "li",
            {},
            el("a", { href: `/concepts/${concept.slug}`, class: "concept-chip", text: pick(concept.title) }),
            el("span", { class: "concept-summary", text: pick(concept.summary) }),
          ),
        ),
      ),
    );
    group.style.setProperty("--hue", String(theme.hue));
    return group;
  });
}

function showMapOrList(root, view) {
  root.dataset.view = view;
  for (const button of root.querySelectorAll("[data-view-button]")) {
    button.setAttribute("aria-pressed", String(button.dataset.viewButton === view));
  }
}

function mountConceptMap(root, concepts) {
  const mapBox = root.querySelector("[data-map]");
  const caption = root.querySelector("[data-map-caption]");
  const resting = caption.textContent;
  root.querySelector("[data-list]").replaceChildren(...conceptList(concepts));
  for (const button of root.querySelectorAll("[data-view-button]")) {
    button.addEventListener("click", () => showMapOrList(root, button.dataset.viewButton));
  }
  const map = drawConceptMap(mapBox, concepts, {
    onOpen: (slug) => window.location.assign(`/concepts/${slug}`),
    onHover: (concept) => {
      caption.replaceChildren();
      if (!concept) {
        caption.textContent = resting;
        return;
      }
      caption.append(el("strong", { text: pick(concept.title) }), " — ", pick(concept.summary));
    },
  });
  window.conceptMap = map;
  root.dataset.ready = "true";
}

function stepCount(tour) {
  if (Array.isArray(tour.steps)) return tour.steps.length;
  return Number(tour.step_count ?? tour.steps ?? 0);
}

function tourCard(tour) {
  const steps = stepCount(tour);
  const progress = tourProgress(tour.slug);
  const fraction = fractionDone(progress, steps);
  const done = Math.round(fraction * steps);
  const started = done > 0 || progress.last > 0;
  const action = fraction >= 1 ? t("Review") : started ? t("Continue") : t("Start");
  const target = fraction >= 1 ? `/tours/${tour.slug}` : `/tours/${tour.slug}/${nextStep(progress, steps)}`;
  return el(
    "li",
    { class: "tour-card", dataset: { tour: tour.slug } },
    el("h3", {}, el("a", { href: `/tours/${tour.slug}`, text: pick(tour.title) })),
    el("p", { class: "tour-summary", text: pick(tour.summary) }),
    el(
      "div",
      { class: "tour-progress" },
      el("progress", { max: steps || 1, value: done, "aria-label": t("Tour progress") }),
      el("span", {
        class: "tour-progress-text",
        text: format(tn("%(done)s of %(count)s step done", "%(done)s of %(count)s steps done", steps), { done, count: steps }),
      }),
    ),
    el("a", { class: "pg-btn" + (started && fraction < 1 ? " pg-btn-primary" : ""), href: target, text: action }),
  );
}

function failed(box, error) {
  box.replaceChildren();
  showLoadError(box, error);
}

export async function mountHome(root) {
  const mapRoot = root.querySelector("[data-concept-map]");
  const toursBox = root.querySelector("[data-tours]");
  // Below ~820px the map's labels get too small to read: start with the list there.
  showMapOrList(mapRoot, window.matchMedia("(max-width: 820px)").matches ? "list" : "map");
  const [concepts, tours] = await Promise.allSettled([getJSON("/api/concepts"), getJSON("/api/tours")]);
  if (concepts.status === "fulfilled") mountConceptMap(mapRoot, concepts.value);
  else failed(mapRoot.querySelector("[data-map]"), concepts.reason);
  if (tours.status === "fulfilled") toursBox.replaceChildren(...tours.value.map(tourCard));
  else failed(toursBox, tours.reason);
}
