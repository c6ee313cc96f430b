/**
 * A small Dockerfile reader: instructions with their line numbers (line
 * continuations joined, comments and parser directives skipped), enough to
 * check a Dockerfile before sending it (unknown instructions, `ARG`s that
 * get no value), to map `FROM` images through the image mapping, and to
 * turn the classic builder's "Step 3/5" into a line of the file.
 */

export const INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

export interface Instruction {
  /** Upper-cased keyword. */
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
  /** 1-based line the instruction ends on. */
  endLine: number;
}

export interface DockerfileProblem {
  line: number;
  message: string;
}

export interface ParsedDockerfile {
  instructions: Instruction[];
  problems: DockerfileProblem[];
  /** The escape character (`# escape=` directive), default backslash. */
  escape: string;
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.split(/\r?\n/);
  const instructions: Instruction[] = [];
  const problems: DockerfileProblem[] = [];
  let escape = '\\';
  let directives = true;
  let current: { keyword: string; parts: string[]; line: number } | undefined;
  const flush = (endLine: number) => {
    if (!current) return;
    instructions.push({ keyword: current.keyword, args: current.parts.join(' ').trim(), line: current.line, endLine });
    current = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (directives) {
      const d = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(trimmed);
      if (d) {
        if (d[1].toLowerCase() === 'escape') escape = d[2];
        continue;
      }
      directives = false;
    }
    // Comments and empty lines, also inside a continued instruction (Docker allows both).
    if (trimmed === '' || trimmed.startsWith('#')) {
      if (current && trimmed === '') continue;
      continue;
    }
    const continued = trimmed.endsWith(escape);
    const body = continued ? trimmed.slice(0, -escape.length) : trimmed;
    if (current) {
      current.parts.push(body);
    } else {
      const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(body);
      const keyword = (m?.[1] ?? body).toUpperCase();
      if (!INSTRUCTIONS.has(keyword)) {
        problems.push({ line: i + 1, message: `unknown instruction '${m?.[1] ?? body}' (Dockerfile instructions: ${[...INSTRUCTIONS].sort().join(', ')})` });
      }
      current = { keyword, parts: [m?.[2] ?? ''], line: i + 1 };
    }
    if (!continued) flush(i + 1);
  }
  flush(lines.length);
  if (!instructions.some((x) => x.keyword === 'FROM')) problems.push({ line: 1, message: 'the Dockerfile has no FROM instruction' });
  else {
    const first = instructions.find((x) => x.keyword !== 'ARG');
    if (first && first.keyword !== 'FROM') problems.push({ line: first.line, message: `the first instruction must be FROM (only ARG may come before it), not ${first.keyword}` });
  }
  for (const x of instructions) {
    if (x.args === '' && x.keyword !== 'HEALTHCHECK') problems.push({ line: x.line, message: `${x.keyword} needs an argument` });
  }
  return { instructions, problems, escape };
}

export interface FromLine {
  line: number;
  /** The image as written (may use ${ARG}s). */
  image: string;
  /** `AS name`, lower-cased. */
  alias?: string;
}

/** The FROM lines: base images, with stage aliases. */
export function fromLines(parsed: ParsedDockerfile): FromLine[] {
  const out: FromLine[] = [];
  for (const x of parsed.instructions) {
    if (x.keyword !== 'FROM') continue;
    const words = x.args.split(/\s+/).filter((w) => !w.startsWith('--'));
    const entry: FromLine = { line: x.line, image: words[0] ?? '' };
    if (words.length >= 3 && words[1].toLowerCase() === 'as') entry.alias = words[2].toLowerCase();
    out.push(entry);
  }
  return out;
}

/**
 * The external base images: FROM images that are not an earlier stage's
 * alias nor `scratch`, with `${ARG}` references resolved from the ARGs
 * before the first FROM and the build args.
 */
export function baseImages(parsed: ParsedDockerfile, args: Record<string, string>): { image: string; line: number }[] {
  const globalArgs = new Map<string, string>();
  for (const x of parsed.instructions) {
    if (x.keyword === 'FROM') break;
    if (x.keyword === 'ARG') {
      const [name, ...rest] = x.args.split('=');
      const n = name.trim();
      globalArgs.set(n, args[n] ?? (rest.length ? unquote(rest.join('=').trim()) : ''));
    }
  }
  const aliases = new Set<string>();
  const out: { image: string; line: number }[] = [];
  for (const f of fromLines(parsed)) {
    const image = f.image.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, n: string) => globalArgs.get(n) ?? args[n] ?? '');
    if (image.toLowerCase() !== 'scratch' && !aliases.has(image.toLowerCase())) out.push({ image, line: f.line });
    if (f.alias) aliases.add(f.alias);
  }
  return out;
}

/** ARGs with no default in the Dockerfile and no value among the build args. */
export function argsWithoutValue(parsed: ParsedDockerfile, args: Record<string, string>): { name: string; line: number }[] {
  const out: { name: string; line: number }[] = [];
  // Docker's predefined proxy args need no declaration and no value.
  const predefined = /^(HTTPS?_PROXY|FTP_PROXY|NO_PROXY|ALL_PROXY|TARGET\w*|BUILD\w*)$/i;
  for (const x of parsed.instructions) {
    if (x.keyword !== 'ARG') continue;
    for (const decl of x.args.split(/\s+/).filter(Boolean)) {
      if (decl.includes('=')) continue;
      if (decl in args || predefined.test(decl)) continue;
      out.push({ name: decl, line: x.line });
    }
  }
  return out;
}

/**
 * The Dockerfile with external FROM images replaced through the image
 * mapping (`python:3.12-slim=local/py`), so an offline engine builds on a
 * local base. Only the image word of each FROM line changes.
 */
export function mapFromImages(text: string, parsed: ParsedDockerfile, map: ReadonlyMap<string, string>): string {
  if (map.size === 0) return text;
  const lines = text.split('\n');
  for (const f of fromLines(parsed)) {
    const to = map.get(f.image);
    if (!to) continue;
    const i = f.line - 1;
    lines[i] = lines[i].replace(f.image, to);
  }
  return lines.join('\n');
}

/** The Dockerfile line of the classic builder's `Step N/M` (N counts instructions). */
export function lineOfStep(parsed: ParsedDockerfile, step: number): number | undefined {
  return parsed.instructions[step - 1]?.line;
}

function unquote(s: string): string {
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}
