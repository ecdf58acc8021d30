// The result tabs (ARIA tabs with arrow-key moves). A tab stays hidden until it has content;
// a tab that gets new content while another is open shows a dot until it is opened.
import { el } from "../base/dom.js";

function addTab(tabs, spec) {
  const tabId = `pg-tab-${spec.id}-${Math.random().toString(36).slice(2, 8)}`;
  const button = el("button", {
    type: "button",
    role: "tab",
    class: "pg-tab",
    id: tabId,
    "data-tab": spec.id,
    "aria-selected": "false",
    tabindex: "-1",
    hidden: !spec.always,
    text: spec.label,
  });
  const panel = el("div", { role: "tabpanel", class: `pg-tabpanel pg-tabpanel-${spec.id}`, "aria-labelledby": tabId, "data-panel": spec.id, hidden: true, tabindex: "-1" });
  button.setAttribute("aria-controls", panel.id = `${tabId}-panel`);
  button.addEventListener("click", () => select(tabs, spec.id, { focus: false }));
  tabs.list.append(button);
  tabs.panels.append(panel);
  tabs.byId.set(spec.id, { spec, button, panel });
}

// Arrow keys, Home and End move between the tabs shown, round the ends.
function moveByKey(tabs, event) {
  const shown = [...tabs.byId.values()].filter((tab) => !tab.button.hidden);
  const index = shown.findIndex((tab) => tab.spec.id === tabs.current);
  const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: shown.length - 1 };
  if (!(event.key in moves)) return;
  event.preventDefault();
  const next = shown[(moves[event.key] + shown.length) % shown.length];
  select(tabs, next.spec.id, { focus: true });
}

function deselect(tabs, id) {
  const old = tabs.byId.get(id);
  old.button.setAttribute("aria-selected", "false");
  old.button.tabIndex = -1;
  old.panel.hidden = true;
  tabs.onHide(id);
}

function select(tabs, id, { focus = false } = {}) {
  const tab = tabs.byId.get(id);
  if (!tab || tab.button.hidden) return;
  if (tabs.current && tabs.current !== id) deselect(tabs, tabs.current);
  tabs.current = id;
  tab.button.setAttribute("aria-selected", "true");
  tab.button.tabIndex = 0;
  tab.button.classList.remove("pg-tab-new");
  tab.panel.hidden = false;
  if (focus) tab.button.focus();
  tabs.onShow(id);
}

function reveal(tabs, id) {
  const tab = tabs.byId.get(id);
  if (!tab) return;
  tab.button.hidden = false;
  if (tabs.current !== id) tab.button.classList.add("pg-tab-new");
}

function resetTabs(tabs) {
  for (const tab of tabs.byId.values()) {
    tab.button.classList.remove("pg-tab-new");
    if (!tab.spec.always) tab.button.hidden = true;
  }
  select(tabs, tabs.specs[0].id);
}

export function createTabs(parent, specs, { onShow = () => {}, onHide = () => {} } = {}) {
  const tabs = {
    specs,
    list: el("div", { class: "pg-tablist", role: "tablist" }),
    panels: el("div", { class: "pg-tabpanels" }),
    byId: new Map(),
    current: null,
    onShow,
    onHide,
  };
  parent.append(tabs.list, tabs.panels);
  for (const spec of specs) addTab(tabs, spec);
  tabs.list.addEventListener("keydown", (event) => moveByKey(tabs, event));
  return {
    panel: (id) => tabs.byId.get(id).panel,
    select: (id, options) => select(tabs, id, options),
    current: () => tabs.current,
    /** Makes a tab appear; marks it as having news unless it is the open one. */
    reveal: (id) => reveal(tabs, id),
    /** Hides every tab that is not always shown; the first tab opens. */
    reset: () => resetTabs(tabs),
  };
}
