// The Output tab: the program's stdout and stderr in an xterm.js terminal (progress bars redraw
// with \r and \b, ANSI colours show; stderr in the terminal's red), figures drawn inline where
// the program showed them, banners for truncation and abnormal endings, and the error panel
// underneath. The terminal only ever shows text; a figure is a canvas laid over blank lines.
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
    // Markers and decorations place figures in the scrollback (xterm.js calls them proposed).
    allowProposedApi: true,
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
    atLineStart: true,
    figures: 0,
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
  shown(out);
  out.atLineStart = /[\r\n]$/.test(clean);
  if (stream === "stderr") {
    // Keep stderr red through any colour resets of its own.
    out.term.write(STDERR_ON + clean.replace(/\x1b\[0?m/g, STDERR_ON) + RESET);
  } else {
    out.term.write(clean);
  }
}

function shown(out) {
  if (out.wrote) return;
  out.wrote = true;
  out.empty.hidden = true;
}

const MAX_FIGURE_HEIGHT = 360; // CSS pixels; a taller figure is scaled down
const FALLBACK_ROW_HEIGHT = 17;
const FALLBACK_FIGURE_WIDTH = 560; // while the terminal is not laid out (a hidden tab)

// Text a child sent, as one plain line: no control characters reach the terminal.
function plainLine(text) {
  return String(text ?? "").replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").slice(0, 300);
}

function rowHeight(out) {
  const screen = out.term.element?.querySelector(".xterm-screen");
  const height = screen && out.term.rows ? screen.clientHeight / out.term.rows : 0;
  return height > 4 ? height : FALLBACK_ROW_HEIGHT;
}

function pngBytes(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

// The figure's size on screen: its own, scaled down to the terminal's width and MAX height.
function displaySize(out, event) {
  const room = out.screen.clientWidth > 80 ? out.screen.clientWidth - 24 : FALLBACK_FIGURE_WIDTH;
  const scale = Math.min(1, MAX_FIGURE_HEIGHT / event.height, room / event.width);
  return { width: Math.round(event.width * scale), height: Math.round(event.height * scale), scale };
}

// One terminal row of a figure: a canvas with the band of the image that falls on that row,
// drawn once the PNG is decoded (a canvas, not an <img>: the page's Content-Security-Policy
// allows no data: or blob: image sources).
function rowSlice(shape, index) {
  const { size, rowH, bitmap, label } = shape;
  const ratio = window.devicePixelRatio || 1;
  const canvas = el("canvas", { class: "pg-figure", width: Math.round(size.width * ratio), height: Math.round(rowH * ratio), "data-row": index });
  canvas.style.width = `${size.width}px`;
  if (index === 0) {
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", label);
  } else {
    canvas.setAttribute("aria-hidden", "true");
  }
  bitmap
    .then((image) => {
      const band = rowH / size.scale;
      canvas.getContext("2d").drawImage(image, 0, index * band, image.width, band, 0, 0, canvas.width, canvas.height);
      canvas.dataset.drawn = "true";
    })
    .catch(() => canvas.setAttribute("data-broken", "true"));
  return canvas;
}

// A figure in the scrollback: a caption line and blank lines for the figure's height, each row
// with a decoration showing its band of the image, so the figure scrolls with the text around
// it (xterm.js draws a decoration only while its first row is on screen: one per row).
function figure(out, event) {
  out.figures += 1;
  const label = plainLine(event.label) || format(t("Figure %(n)s"), { n: out.figures });
  const prefix = out.atLineStart ? "" : "\r\n";
  shown(out);
  out.atLineStart = true;
  const drawable = typeof event.data === "string" && event.data && event.width > 0 && event.height > 0;
  if (!drawable) {
    out.term.write(`${prefix}[${plainLine(event.note) || format(t("%(label)s could not be shown."), { label })}]\r\n`);
    return;
  }
  const size = displaySize(out, event);
  const rowH = rowHeight(out);
  const rows = Math.ceil(size.height / rowH) + 1;
  const bitmap = createImageBitmap(new Blob([pngBytes(event.data)], { type: event.mime }));
  bitmap.catch(() => {});
  const shape = { size, rowH, bitmap, label };
  out.term.write(`${prefix}[${label}]${"\r\n".repeat(rows)}`, () => {
    for (let index = 0; index < rows; index++) {
      const marker = out.term.registerMarker(index - rows);
      const decoration = marker && out.term.registerDecoration({ marker, width: out.term.cols, height: 1, layer: "top" });
      decoration?.onRender((element) => {
        if (element.firstChild) return;
        element.classList.add("pg-figure-slot");
        element.append(rowSlice(shape, index));
      });
    }
  });
}

function resetOutput(out) {
  out.term.reset();
  out.atLineStart = true;
  out.figures = 0;
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
    /** An `image` event: the figure where the program showed it. */
    image: (event) => figure(out, event),
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
