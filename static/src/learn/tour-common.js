// What the tour overview and the tour step pages share: the segmented progress bar, the
// storage key of a step's code, and a small confirmation dialog.
import { el } from "./dom.js";
import { format, pick, t } from "./i18n.js";
import { tourProgress } from "./progress.js";

/** Where the workspace keeps the learner's edited code of one step. */
export function stepStorageKey(slug, number) {
  return `tour:${slug}:${number}`;
}

export function forgetCode(key) {
  try {
    localStorage.removeItem(key);
  } catch {
    // Storage off: there is nothing kept to forget.
  }
}

export function hasCheck(step) {
  return Boolean(step.check && (!Array.isArray(step.check) || step.check.length));
}

export function progressBar(tour, current) {
  const progress = tourProgress(tour.slug);
  const done = new Set(progress.done);
  const count = tour.steps.length;
  const doneCount = tour.steps.filter((_, i) => done.has(i + 1)).length;
  return el(
    "nav",
    { class: "tour-bar", "aria-label": t("Tour progress") },
    el(
      "ol",
      // A list of links to the steps (the text beside it says how many are done): a progressbar
      // role would hide the list and may hold no links.
      { class: "tour-segments" },
      tour.steps.map((step, i) =>
        el(
          "li",
          { class: ["segment", done.has(i + 1) ? "done" : "", i + 1 === current ? "current" : ""].join(" ").trim() },
          el("a", {
            href: `/tours/${tour.slug}/${i + 1}`,
            title: `${i + 1}. ${pick(step.title)}`,
            "aria-current": i + 1 === current ? "step" : null,
            text: String(i + 1),
          }),
        ),
      ),
    ),
    el("span", { class: "tour-bar-text", dataset: { progressText: "" }, text: format(t("%(done)s of %(count)s steps done"), { done: doneCount, count }) }),
  );
}


export function confirmDialog(question, detail, yes) {
  return new Promise((resolve) => {
    const dialog = el(
      "dialog",
      { class: "learn-dialog" },
      el(
        "form",
        { method: "dialog" },
        el("h2", { text: question }),
        el("p", { text: detail }),
        el(
          "div",
          { class: "dialog-actions" },
          el("button", { value: "cancel", class: "pg-btn", text: t("Not yet") }),
          el("button", { value: "yes", class: "pg-btn pg-btn-primary", text: yes }),
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "yes");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

