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

function openTerminal(screen) {
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
  return { term, fit };
}

/** The pane's state: its elements, the terminal, a control-sequence filter per stream. */
function newOutput(parent) {
  const out = {
    banners: el("div", { class: "pg-output-banners", "aria-live": "polite" }),
    screen: el("div", { class: "pg-terminal", role: "log", "aria-label": t("Program output") }),
    empty: el("p", { class: "pg-output-empty", text: t("Run the code to see its output here.") }),
    errorSlot: el("div", { class: "pg-error-slot" }),
    filters: { stdout: new TerminalTextFilter(), stderr: new TerminalTextFilter() },
    wrote: false,
  };
  parent.append(out.banners, el("div", { class: "pg-terminal-wrap" }, out.empty, out.screen), out.errorSlot);
  Object.assign(out, openTerminal(out.screen));
  return out;
}

function refit(out) {
  if (out.screen.offsetParent === null || out.screen.clientWidth === 0) return;
  try {
    out.fit.fit();
  } catch {
    // A zero-sized container during a layout change: the next resize fits it.
  }
}

// The terminal follows its box's size and the theme's colours; returns what stops that.
function follow(out) {
  const observer = new ResizeObserver(() => refit(out));
  observer.observe(out.screen);
  const unsubscribe = onThemeChange(() => {
    out.term.options.theme = terminalTheme();
  });
  return () => {
    observer.disconnect();
    unsubscribe();
  };
}

function banner(out, kind, text) {
  out.banners.append(el("p", { class: `pg-notice pg-notice-${kind}`, text }));
}

function write(out, stream, text) {
  const clean = out.filters[stream].push(text);
  if (!clean) return;
  if (!out.wrote) {
    out.wrote = true;
    out.empty.hidden = true;
  }
  if (stream === "stderr") {
    // Keep stderr red through any colour resets of its own.
    out.term.write(STDERR_ON + clean.replace(/\x1b\[0?m/g, STDERR_ON) + RESET);
  } else {
    out.term.write(clean);
  }
}

function resetOutput(out) {
  out.term.reset();
  out.filters.stdout = new TerminalTextFilter();
  out.filters.stderr = new TerminalTextFilter();
  clear(out.banners);
  out.wrote = false;
  out.empty.hidden = false;
}

function terminalText(term) {
  const buffer = term.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines.join("\n");
}

export function createOutput(parent) {
  const out = newOutput(parent);
  const unfollow = follow(out);
  return {
    errorSlot: out.errorSlot,
    write: (stream, text) => write(out, stream, text),
    truncated(event) {
      banner(out, "warn", format(t("Output was cut short: %(size)s of %(stream)s were dropped (the output limit was reached)."), {
        size: formatBytes(event.dropped_bytes || 0),
        stream: event.stream || "output",
      }));
    },
    notice: (kind, text) => banner(out, kind, text),
    reset: () => resetOutput(out),
    refit: () => refit(out),
    /** The terminal's text, line by line as displayed (for tests and copying). */
    text: () => terminalText(out.term),
    destroy() {
      unfollow();
      out.term.dispose();
    },
  };
}
