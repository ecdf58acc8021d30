// Entry of a concept page (templates/learn/concept.html).
import "../learn/learn.css";
import { mountConcept } from "../learn/concept.js";
import { showLoadError } from "../learn/dom.js";

const root = document.querySelector("[data-learn-concept]");
if (root) mountConcept(root).catch((error) => showLoadError(root.querySelector("[data-concept-article]"), error));
