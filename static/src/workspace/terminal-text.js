// Filters program output before it reaches the terminal: text, \n \r \b \t and the cursor,
// erase and colour sequences a progress bar uses pass; everything that could make the terminal
// act outside its text area (OSC hyperlinks and titles, device queries, mode switches, DCS
// strings, bells) is dropped. Sequences split across chunks are held until complete.

const ESC = "\x1b";
// CSI final bytes kept: cursor moves (A-H), erase (J, K), colours (m), save/restore (s, u).
const CSI_KEPT = new Set(["A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "m", "s", "u"]);
// C0 controls kept as a terminal would use them: backspace, tab, newline, carriage return.
const C0_KEPT = new Set(["\b", "\t", "\n", "\r"]);

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
        return [j + 1, keep ? text.slice(i, j + 1) : ""];
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
