/**
 * Scalars in hand-assembled YAML. The exported files are built as text
 * (not with a YAML library) so they can carry explanatory comments in a
 * stable layout; every value that is not a plain safe word is written as a
 * JSON string, which is valid double-quoted YAML.
 */

const PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;
const YAML_KEYWORDS = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

export function yamlScalar(s: string): string {
  return PLAIN.test(s) && !YAML_KEYWORDS.test(s) && !/^[0-9.]+$/.test(s) ? s : JSON.stringify(s);
}

/**
 * A script line or other free text: plain when YAML reads it back
 * unchanged (readable shell in the file), else a JSON string.
 */
export function yamlText(s: string): string {
  const risky = /^[\s!&*?|>'"%@`{}[\],#-]/.test(s) || /:\s|\s#|:$/.test(s) || s !== s.trim();
  return risky ? JSON.stringify(s) : s;
}

/** Quote one word for a POSIX shell command line (stage names, paths). */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./=:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Indent every line of `lines` by `n` spaces. */
export function indent(lines: string[], n: number): string[] {
  const pad = ' '.repeat(n);
  return lines.map((l) => (l ? pad + l : l));
}
