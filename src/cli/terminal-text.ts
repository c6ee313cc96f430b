/**
 * Text on its way to the terminal. Control characters from data (a YAML
 * key, a data value, a stage's output) could move the cursor, clear the
 * screen, retitle the window, write the clipboard (OSC 52) or hide what
 * precedes them, so every control character is shown escaped (`\x1b`,
 * `\x07`, `\u009b`), as are the bidirectional overrides that reorder text
 * ("Trojan Source"). Kept: tab, newline, and the five colour sequences mlci
 * itself paints with (progress.ts). A carriage return not ending a line
 * becomes a line break: a progress bar redraws as lines, not over them.
 */
const MLCI_COLOURS = new Set(['\x1b[32m', '\x1b[31m', '\x1b[33m', '\x1b[2m', '\x1b[0m']);

// C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates.
const UNSAFE = /\x1b\[[0-9;]*m|\r\n?|[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]/g;

function escaped(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (m) => {
    if (m.length > 1 && m.startsWith('\x1b')) return MLCI_COLOURS.has(m) ? m : `\\x1b${m.slice(1)}`;
    if (m === '\r\n' || m === '\r') return '\n';
    return escaped(m);
  });
}
