/**
 * Secret masking for everything mlci writes or prints about a run: stage
 * output (terminal, stage logs, the VS Code output channel: all fed by the
 * engine's stage-log events) and run records (reasons, metric names, reports).
 *
 * A secret is masked in the forms a stage is likely to print it in: as is,
 * base64 (standard and URL-safe, padded or not, and at the three byte
 * alignments it takes inside a longer encoded string, as GitHub Actions
 * does), and URL-encoded (`%XX`, also with `+` for spaces and lower-case hex).
 * Values shorter than MIN_SECRET_LENGTH are not masked: masking `1` or `ab`
 * would mangle every line without hiding anything worth hiding.
 */
export const MIN_SECRET_LENGTH = 4;
export const MASK = '***';

/** Base64 of `bytes` at each alignment, trimmed to the characters that depend on `bytes` alone. */
function base64Forms(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const enc = padded.toString('base64');
    // Characters from the first 3-byte group that holds only secret bytes to
    // the last full group: neither the filler before nor the text after
    // changes them.
    const firstGroup = offset === 0 ? 0 : 1;
    const lastGroup = Math.floor(padded.length / 3);
    const middle = enc.slice(firstGroup * 4, lastGroup * 4);
    if (offset === 0) out.push(enc, enc.replace(/=+$/, ''));
    if (middle.length >= 8) out.push(middle);
  }
  return out.flatMap((f) => [f, f.replace(/\+/g, '-').replace(/\//g, '_')]);
}

function urlForms(value: string): string[] {
  const enc = encodeURIComponent(value);
  const plus = enc.replace(/%20/g, '+');
  const lower = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  return [enc, plus, lower(enc), lower(plus)];
}

/** Every form of `value` that is masked. */
export function secretForms(value: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) return [];
  const forms = new Set<string>([value, ...base64Forms(Buffer.from(value, 'utf8')), ...urlForms(value)]);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class SecretMasker {
  /** Longest form first, so a form that contains another is masked whole. */
  readonly forms: readonly string[];
  /** Length of the longest form: how much text a line buffer must hold back. */
  readonly maxLength: number;
  private readonly pattern: RegExp | undefined;

  constructor(values: Iterable<string>) {
    const all = new Set<string>();
    for (const v of values) for (const f of secretForms(v)) all.add(f);
    this.forms = [...all].sort((a, b) => b.length - a.length);
    this.maxLength = this.forms[0]?.length ?? 0;
    this.pattern = this.forms.length ? new RegExp(this.forms.map(escapeRegex).join('|'), 'g') : undefined;
  }

  get empty(): boolean {
    return this.pattern === undefined;
  }

  mask(text: string): string {
    if (!this.pattern || text.length < MIN_SECRET_LENGTH) return text;
    return text.replace(this.pattern, MASK);
  }

  /** Where complete occurrences of any form lie in `text`, as [start, end) pairs. */
  occurrences(text: string): [number, number][] {
    if (!this.pattern) return [];
    const out: [number, number][] = [];
    for (const m of text.matchAll(this.pattern)) out.push([m.index, m.index + m[0].length]);
    return out;
  }
}

/**
 * A stream of text chunks masked line by line, so a secret split across
 * chunks (a container writes in arbitrary pieces) is still whole when it is
 * masked. A line longer than `holdLimit` is not held back forever: all of it
 * is released except the tail that could still be the start of a secret.
 */
export class LineMasker {
  private held = '';

  constructor(private readonly masker: SecretMasker, private readonly holdLimit = 64 * 1024) {}

  /** The masked text that is safe to release now. */
  push(chunk: string): string {
    if (this.masker.empty) return chunk;
    const text = this.held + chunk;
    const nl = text.lastIndexOf('\n');
    let cut = nl + 1;
    if (text.length - cut > this.holdLimit) {
      // Keep only what could be the start of a form; a complete occurrence
      // that crosses the cut moves the cut to its end.
      cut = text.length - (this.masker.maxLength - 1);
      for (const [start, end] of this.masker.occurrences(text)) if (start < cut && end > cut) cut = end;
    }
    this.held = text.slice(cut);
    return this.masker.mask(text.slice(0, cut));
  }

  /** What is held back, masked (at the end of the stream). */
  flush(): string {
    const rest = this.masker.mask(this.held);
    this.held = '';
    return rest;
  }
}
