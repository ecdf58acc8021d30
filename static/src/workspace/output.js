// The Output tab: the program's stdout and stderr in an xterm.js terminal (progress bars redraw
// with \r and \b, ANSI colours show; stderr in the terminal's red), banners for truncation and
// abnormal endings, and the error panel underneath. The terminal only ever shows text.
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";
import { el, clear } from "../base/dom.js";
import { format, t } from "../base/i18n.js";
import { onThemeChange, themeColor } from "../base/theme.js";
import { TerminalTextFilter } from "./terminal-text.js";

const STDERR_ON = "\x1b[0;31m";
const RESET = "\x1b[0m";

function terminalTheme() {
  const dark = document.documentElement.dataset.theme === "dark";
  const bg = themeColor("--pg-term-bg");
  return {
    background: bg,
    foreground: themeColor("--pg-term-fg"),
    cursor: bg,
    cursorAccent: bg,
    selectionBackground: dark ? "#3b4a66" : "#c7d7f5",
    red: themeColor("--pg-term-stderr"),
    brightRed: themeColor("--pg-term-stderr"),
    ...(dark ? {} : { white: "#6b7280", brightWhite: "#374151", yellow: "#8a6100", brightYellow: "#a16207", green: "#15803d", cyan: "#0e7490", blue: "#1d4ed8" }),
  };
}

function formatBytes(n) {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

export function createOutput(parent) {
  const banners = el("div", { class: "pg-output-banners", "aria-live": "polite" });
  const screen = el("div", { class: "pg-terminal", role: "log", "aria-label": t("Program output") });
  const empty = el("p", { class: "pg-output-empty", text: t("Run the code to see its output here.") });
  const errorSlot = el("div", { class: "pg-error-slot" });
  parent.append(banners, el("div", { class: "pg-terminal-wrap" }, empty, screen), errorSlot);

  const term = new Terminal({
    convertEol: true,
    disableStdin: true,
    cursorBlink: false,
    cursorStyle: "bar",
    cursorInactiveStyle: "none",
    scrollback: 20000,
    fontFamily: themeColor("--pg-mono") || "monospace",
    fontSize: 13,
    lineHeight: 1.15,
    theme: terminalTheme(),
    linkHandler: null,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(screen);
  // Output only: keystrokes must not reach anything, and xterm's answers to queries go nowhere.
  term.attachCustomKeyEventHandler(() => false);
  const textarea = screen.querySelector("textarea");
  if (textarea) textarea.setAttribute("aria-label", t("Program output"));

  const filters = { stdout: new TerminalTextFilter(), stderr: new TerminalTextFilter() };
  let wrote = false;

  const refit = () => {
    if (screen.offsetParent === null || screen.clientWidth === 0) return;
    try {
      fit.fit();
    } catch {
      // A zero-sized container during a layout change: the next resize fits it.
    }
  };
  const observer = new ResizeObserver(() => refit());
  observer.observe(screen);
  const unsubscribe = onThemeChange(() => {
    term.options.theme = terminalTheme();
  });

  function banner(kind, text) {
    banners.append(el("p", { class: `pg-notice pg-notice-${kind}`, text }));
  }

  function write(stream, text) {
    const clean = filters[stream].push(text);
    if (!clean) return;
    if (!wrote) {
      wrote = true;
      empty.hidden = true;
    }
    if (stream === "stderr") {
      // Keep stderr red through any colour resets of its own.
      term.write(STDERR_ON + clean.replace(/\x1b\[0?m/g, STDERR_ON) + RESET);
    } else {
      term.write(clean);
    }
  }

  return {
    errorSlot,
    write,
    truncated(event) {
      banner("warn", format(t("Output was cut short: %(size)s of %(stream)s were dropped (the output limit was reached)."), {
        size: formatBytes(event.dropped_bytes || 0),
        stream: event.stream || "output",
      }));
    },
    notice(kind, text) {
      banner(kind, text);
    },
    reset() {
      term.reset();
      filters.stdout = new TerminalTextFilter();
      filters.stderr = new TerminalTextFilter();
      clear(banners);
      wrote = false;
      empty.hidden = false;
    },
    refit,
    /** The terminal's text, line by line as displayed (for tests and copying). */
    text() {
      const buffer = term.buffer.active;
      const lines = [];
      for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
      while (lines.length && lines[lines.length - 1] === "") lines.pop();
      return lines.join("\n");
    },
    destroy() {
      observer.disconnect();
      unsubscribe();
      term.dispose();
    },
  };
}
