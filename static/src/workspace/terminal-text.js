// Filters program output before it reaches the terminal: text, \n \r \b \t and the cursor,
// erase and colour sequences a progress bar uses pass; everything that could make the terminal
// act outside its text area (OSC hyperlinks and titles, device queries, mode switches, DCS
// strings, bells) is dropped. Sequences split across chunks are held until complete. 24-bit
// colours become the nearest colour of the 256-colour palette: xterm.js draws 24-bit ones with
// style attributes, which the page's CSP refuses, and palette ones with classes.

const ESC = "\x1b";
// CSI final bytes kept: cursor moves (A-H), erase (J, K), colours (m), save/restore (s, u).
const CSI_KEPT = new Set(["A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "m", "s", "u"]);
// C0 controls kept as a terminal would use them: backspace, tab, newline, carriage return.
const C0_KEPT = new Set(["\b", "\t", "\n", "\r"]);

// The 6x6x6 colour cube's levels (palette 16-231); palette 232-255 is a grey ramp 8, 18, ... 238.
const CUBE = [0, 95, 135, 175, 215, 255];

function nearestLevel(value) {
  let best = 0;
  for (let k = 1; k < CUBE.length; k++) {
    if (Math.abs(CUBE[k] - value) < Math.abs(CUBE[best] - value)) best = k;
  }
  return best;
}

function distance(a, b) {
  return a.reduce((sum, value, k) => sum + (value - b[k]) ** 2, 0);
}

/** The 256-colour palette index nearest to a 24-bit colour (cube or grey ramp). */
function paletteIndex(r, g, b) {
  const levels = [r, g, b].map(nearestLevel);
  const cube = levels.map((level) => CUBE[level]);
  const step = Math.min(23, Math.max(0, Math.round(((r + g + b) / 3 - 8) / 10)));
  const grey = 8 + 10 * step;
  if (distance([grey, grey, grey], [r, g, b]) < distance(cube, [r, g, b])) return 232 + step;
  return 16 + 36 * levels[0] + 6 * levels[1] + levels[2];
}

// SGR parameters with each 24-bit foreground or background (38;2;r;g;b, 48;2;r;g;b) as 38;5;n.
function paletteColours(params) {
  const parts = params.split(";");
  const out = [];
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k];
    const extended = part === "38" || part === "48";
    if (extended && parts[k + 1] === "2") {
      const [r, g, b] = parts.slice(k + 2, k + 5).map((value) => Math.min(255, Number(value) || 0));
      out.push(part, "5", String(paletteIndex(r, g, b)));
      k += 4;
    } else if (extended && parts[k + 1] === "5") {
      out.push(...parts.slice(k, k + 3));
      k += 2;
    } else {
      out.push(part);
    }
  }
  return out.join(";");
}

function isC0(code) {
  return code < 0x20 || code === 0x7f;
}

// Returns [end index of the sequence starting at i (exclusive), kept text] or null if the input
// ends before the sequence does.
function escapeAt(text, i) {
  const next = text[i + 1];
  if (next === undefined) return null;
  if (next === "[") {
    let j = i + 2;
    while (j < text.length) {
      const code = text.charCodeAt(j);
      if (code >= 0x40 && code <= 0x7e) {
        const params = text.slice(i + 2, j);
        // Private-mode parameters ("?25l", ">c") are mode switches and queries: dropped.
        const keep = CSI_KEPT.has(text[j]) && /^[0-9;]*$/.test(params);
        if (!keep) return [j + 1, ""];
        return [j + 1, text[j] === "m" ? `${ESC}[${paletteColours(params)}m` : text.slice(i, j + 1)];
      }
      if (code < 0x20 || j - i > 64) return [j, ""];
      j += 1;
    }
    return null;
  }
  if (next === "]" || next === "P" || next === "X" || next === "^" || next === "_") {
    // A string sequence, ended by BEL or ESC \ (string terminator).
    for (let j = i + 2; j < text.length; j++) {
      if (text[j] === "\x07") return [j + 1, ""];
      if (text[j] === ESC) {
        if (j + 1 >= text.length) return null;
        return [text[j + 1] === "\\" ? j + 2 : j, ""];
      }
    }
    return null;
  }
  // Any other two-byte escape (ESC c full reset, ESC 7, charset picks): dropped.
  return [i + 2, ""];
}

/** Filters one stream's chunks; keep one instance per stream so split sequences join up. */
export class TerminalTextFilter {
  constructor() {
    this.pending = "";
  }

  push(chunk) {
    const text = this.pending + chunk;
    this.pending = "";
    let out = "";
    let i = 0;
    while (i < text.length) {
      const ch = text[i];
      if (ch === ESC) {
        const found = escapeAt(text, i);
        if (found === null) {
          // Bound what we hold so a stray ESC cannot swallow the rest of the output.
          if (text.length - i < 4096) this.pending = text.slice(i);
          else out += text.slice(i + 1).replace(/[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]/g, "");
          break;
        }
        out += found[1];
        i = found[0];
        continue;
      }
      if (isC0(text.charCodeAt(i)) && !C0_KEPT.has(ch)) {
        i += 1;
        continue;
      }
      out += ch;
      i += 1;
    }
    return out;
  }
}
