// Entry of the tour pages: the overview (templates/learn/tour.html) and a step (tour_step.html).
import "../learn/learn.css";
import { showLoadError } from "../learn/dom.js";
import { mountTourOverview } from "../learn/tour-overview.js";
import { mountTourStep } from "../learn/tour-step.js";

const overview = document.querySelector("[data-learn-tour]");
const step = document.querySelector("[data-learn-step]");
if (overview) mountTourOverview(overview).catch((error) => showLoadError(overview.querySelector("[data-tour-article]"), error));
if (step) mountTourStep(step).catch((error) => showLoadError(step.querySelector("[data-step-article]"), error));
