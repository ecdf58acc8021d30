// The result tabs (ARIA tabs with arrow-key moves). A tab stays hidden until it has content;
// a tab that gets new content while another is open shows a dot until it is opened.
import { el } from "../base/dom.js";

export function createTabs(parent, specs, { onShow = () => {}, onHide = () => {} } = {}) {
  const list = el("div", { class: "pg-tablist", role: "tablist" });
  const panels = el("div", { class: "pg-tabpanels" });
  parent.append(list, panels);
  const tabs = new Map();
  let current = null;

  for (const spec of specs) {
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
    button.addEventListener("click", () => select(spec.id, { focus: false }));
    list.append(button);
    panels.append(panel);
    tabs.set(spec.id, { spec, button, panel });
  }

  list.addEventListener("keydown", (event) => {
    const shown = [...tabs.values()].filter((tab) => !tab.button.hidden);
    const index = shown.findIndex((tab) => tab.spec.id === current);
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: shown.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = shown[(moves[event.key] + shown.length) % shown.length];
    select(next.spec.id, { focus: true });
  });

  function select(id, { focus = false } = {}) {
    const tab = tabs.get(id);
    if (!tab || tab.button.hidden) return;
    if (current && current !== id) {
      const old = tabs.get(current);
      old.button.setAttribute("aria-selected", "false");
      old.button.tabIndex = -1;
      old.panel.hidden = true;
      onHide(current);
    }
    current = id;
    tab.button.setAttribute("aria-selected", "true");
    tab.button.tabIndex = 0;
    tab.button.classList.remove("pg-tab-new");
    tab.panel.hidden = false;
    if (focus) tab.button.focus();
    onShow(id);
  }

  return {
    panel: (id) => tabs.get(id).panel,
    select,
    current: () => current,
    /** Makes a tab appear; marks it as having news unless it is the open one. */
    reveal(id) {
      const tab = tabs.get(id);
      if (!tab) return;
      tab.button.hidden = false;
      if (current !== id) tab.button.classList.add("pg-tab-new");
    },
    /** Hides every tab that is not always shown; the first tab opens. */
    reset() {
      for (const tab of tabs.values()) {
        tab.button.classList.remove("pg-tab-new");
        if (!tab.spec.always) tab.button.hidden = true;
      }
      select(specs[0].id);
    },
  };
}
