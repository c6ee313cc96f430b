/**
 * `.dockerignore` matching for a build context walk, with the rules of
 * @balena/dockerignore (a port of Moby's, which mlci used per file before;
 * test/unit/build/dockerignore.test.ts checks the two agree) but asked per
 * directory: a rule's match against a file's parent folders depends only on
 * the folder, so it is computed once per folder instead of once per file,
 * and a folder that is excluded as a whole (no `!` rule can bring a file
 * back) is not walked at all. Case-sensitive, as Docker's own matcher
 * (moby/patternmatcher, Go's filepath.Match) is on Linux, where the engines
 * mlci builds on run: the package defaults to ignoring case, which would
 * leave `Data/` out of a context for a `data` rule while `docker build`
 * sends it. `/`-separated relative paths on every platform.
 */
import path from 'node:path';
import type { TreeFilter } from '../hash';

interface Rule {
  regexp: RegExp;
  /** The cleaned pattern's `/`-separated parts. */
  dirs: string[];
  /** Parts other than `**`: the fewest parent folders a `**` rule can match. */
  minDirs: number;
  hasGlobstar: boolean;
  negative: boolean;
}

/** Go's filepath.Clean for `/` paths (path.posix.normalize without a trailing slash). */
function clean(p: string): string {
  return path.posix.normalize(p).replace(/(?<=.)\/$/, '');
}

/** One line as a rule, as Moby reads it: `!` negates, the rest is cleaned and a leading `/` dropped; null when nothing is left. */
function createRule(line: string): Rule | null {
  let pattern = line.trim();
  let negative = false;
  if (pattern.startsWith('!')) {
    negative = true;
    pattern = pattern.slice(1).trim();
  }
  if (pattern.length > 0) {
    pattern = clean(pattern);
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
  }
  if (negative) pattern = '!' + pattern;
  pattern = pattern.trim();
  if (pattern === '') return null;
  pattern = clean(pattern);
  if (pattern.startsWith('!')) {
    if (pattern.length === 1) return null;
    negative = true;
    pattern = pattern.slice(1);
  } else {
    negative = false;
  }
  const dirs = pattern.split('/');
  return { regexp: compile(pattern), dirs, minDirs: dirs.filter((d) => d !== '**').length, hasGlobstar: dirs.includes('**'), negative };
}

/** filepath.Match plus `**`, as a regular expression (Moby's translation). */
function compile(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        re += pattern[i + 1] === undefined ? '.*' : '(.*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '.' || ch === '$') {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      if (pattern[i + 1] !== undefined) {
        re += '\\' + pattern[i + 1];
        i++;
      } else {
        re += '\\';
      }
    } else {
      re += ch;
    }
  }
  return new RegExp(re + '$');
}

export class DockerIgnore {
  private readonly rules: Rule[];
  private readonly anyNegative: boolean;

  /** `text`: the `.dockerignore` file's content (comments and blank lines skipped). */
  constructor(text: string) {
    this.rules = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map(createRule)
      .filter((r): r is Rule => r !== null);
    this.anyNegative = this.rules.some((r) => r.negative);
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Whether the file (or folder) at `rel` is left out of the context. */
  ignores(rel: string): boolean {
    const slash = rel.lastIndexOf('/');
    return this.decide(rel, slash < 0 ? undefined : this.parentMatches(rel.slice(0, slash)));
  }

  /**
   * For each rule, whether it matches one of the parent folders of a file
   * in `parentDir` (a clean relative folder, not '.'), as Moby checks
   * them: the first `dirs.length` parts, or for a `**` rule every prefix
   * from `minDirs` parts to all of them.
   */
  private parentMatches(parentDir: string): boolean[] {
    const parts = parentDir.split('/');
    return this.rules.map((rule) => {
      if (rule.hasGlobstar) {
        for (let i = rule.minDirs; i <= parts.length; i++) if (rule.regexp.test(parts.slice(0, i).join('/'))) return true;
        return false;
      }
      return rule.dirs.length <= parts.length && rule.regexp.test(parts.slice(0, rule.dirs.length).join('/'));
    });
  }

  /** The last matching rule decides: a file is ignored when it is a non-`!` rule. */
  private decide(rel: string, parents: readonly boolean[] | undefined): boolean {
    let ignored = false;
    for (let r = 0; r < this.rules.length; r++) {
      const rule = this.rules[r];
      if (parents?.[r] || rule.regexp.test(rel)) ignored = !rule.negative;
    }
    return ignored;
  }

  /**
   * The walk's filter: per folder, the parent matches once; a folder no
   * file of which can be sent (some rule matches it and there is no `!`
   * rule) is skipped whole. `always` names files sent whatever the rules
   * say (`.dockerignore` itself); `never` those never listed (the
   * Dockerfile, which goes as its mapped text).
   */
  filter(opts: { always?: ReadonlySet<string>; never?: ReadonlySet<string> } = {}): TreeFilter {
    const { always, never } = opts;
    return {
      dir: (relPrefix: string) => {
        const parents = relPrefix === '' || this.rules.length === 0 ? undefined : this.parentMatches(relPrefix.slice(0, -1));
        if (parents && !this.anyNegative && parents.includes(true) && !hasUnder(always, relPrefix)) return undefined;
        return (name: string) => {
          const rel = relPrefix + name;
          if (never?.has(rel)) return false;
          if (always?.has(rel)) return true;
          return !this.decide(rel, parents);
        };
      },
    };
  }
}

function hasUnder(set: ReadonlySet<string> | undefined, relPrefix: string): boolean {
  if (!set) return false;
  for (const s of set) if (s.startsWith(relPrefix)) return true;
  return false;
}
