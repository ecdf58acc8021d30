// The compare page (/compare/<a>/<b>): both runs' runtimes, the code diff, the output diff,
// training curves overlaid, model summaries side by side and data throughput; "Copy link", and
// "Share both" where a side is a run not shared yet.
import { el } from "../base/dom.js";
import { postJSON } from "../base/api.js";
import { t } from "../base/i18n.js";
import { overlaidCurves } from "./curves.js";
import { diffTable, modelsSideBySide, runtimeTable, throughputTable } from "./sections.js";
import "./compare.css";

function section(id, title, ...content) {
  return el("section", { class: "pg-compare-section", "data-section": id }, el("h2", { text: title }), content);
}

function errorLine(summary) {
  const error = summary.error;
  return error ? `${error.exc_type}: ${error.message}${Number.isInteger(error.line) ? ` (line ${error.line})` : ""}` : "";
}

function render(root, { a, b }) {
  const charts = overlaidCurves(a, b);
  const throughput = throughputTable(a, b);
  root.replaceChildren(
    section("runtime", t("Runtime"), runtimeTable(a, b)),
    section("code", t("Code"), diffTable(a.code, b.code, "code")),
    section("output", t("Output"), diffTable([a.output, errorLine(a)].filter(Boolean).join("\n"), [b.output, errorLine(b)].filter(Boolean).join("\n"), "output")),
    section("curves", t("Training curves"), el("div", { class: "pg-compare-charts" }, charts)),
    section("models", t("Models"), modelsSideBySide(a, b)),
    throughput ? section("throughput", t("Data throughput"), throughput) : "",
  );
  for (const chart of charts) chart.draw?.();
}

function say(text) {
  const out = document.querySelector("[data-compare-said]");
  if (out) out.textContent = text;
}

function wireCopy(url) {
  const button = document.querySelector("[data-action=copy-compare-link]");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(url);
      say(t("Link copied"));
    } catch {
      say(url);
    }
  });
}

function wireShareBoth(data) {
  const button = document.querySelector("[data-action=share-both]");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const refs = [];
      for (const side of [data.a, data.b]) {
        refs.push(side.shared ? side.ref : (await postJSON(`/api/runs/${encodeURIComponent(side.ref)}/share`)).slug);
      }
      window.location.assign(`/compare/${refs.map(encodeURIComponent).join("/")}`);
    } catch (error) {
      button.disabled = false;
      say(error.message || t("The runs could not be shared."));
    }
  });
}

/** Mounts the comparison from the page's data (templates/compare/page.html). */
export function mountComparePage(data) {
  const root = document.getElementById("pg-compare");
  if (!root || !data?.a || !data?.b) return;
  render(root, data);
  wireCopy(new URL(data.url, window.location.origin).href);
  wireShareBoth(data);
  root.dataset.ready = "true";
}
