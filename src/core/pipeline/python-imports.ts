/**
 * A static scan of the Python a stage runs: which script (or `-m` module)
 * its commands start, and which modules of the repository that code
 * imports, transitively. No Python is run; imports are read with patterns,
 * which is enough for the `import a.b` / `from a import b` / `from . import
 * c` forms real projects use. Modules that are not files of the workspace
 * (the standard library, installed packages) are simply not found.
 */
import path from 'node:path';
import type { FileProbe } from '../ports';

export interface PythonEntry {
  /** Script path relative to the pipeline folder, or undefined for `-m`. */
  script?: string;
  module?: string;
  /** Folder (relative) the command runs in: `-m` modules and relative scripts resolve from here. */
  cwd: string;
}

const PYTHON = /^(?:\S*\/)?python(?:3(?:\.\d+)?)?$/;

/** The Python entry points of a command line: `python [opts] script.py` and `python -m pkg.mod`. */
export function pythonEntries(command: string, startCwd: string): PythonEntry[] {
  let cwd = startCwd;
  const out: PythonEntry[] = [];
  for (const part of command.split(/&&|\|\||;|\|/)) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    // `cd src && python -m pkg.mod`: later commands run in that folder.
    if (tokens[0] === 'cd' && tokens[1] && !tokens[1].startsWith('/')) {
      cwd = path.posix.normalize(path.posix.join(cwd, tokens[1]));
      continue;
    }
    const i = tokens.findIndex((t) => PYTHON.test(t));
    if (i < 0) continue;
    for (let j = i + 1; j < tokens.length; j++) {
      const t = tokens[j];
      if (t === '-m' && tokens[j + 1]) {
        out.push({ module: tokens[j + 1], cwd });
        break;
      }
      if (t === '-c') break;
      if (t.startsWith('-')) continue;
      if (/\.py$/.test(t)) out.push({ script: path.posix.normalize(path.posix.join(cwd, t.replace(/^["']|["']$/g, ''))), cwd });
      break;
    }
  }
  return out;
}

/** Imported module names of one file; relative imports resolved against `pkg` (the file's package, dotted). */
export function importsOf(text: string, pkg: string): string[] {
  const out: string[] = [];
  // Joined continuation lines and parenthesised name lists are flattened first.
  const flat = text.replace(/\\\r?\n/g, ' ').replace(/\(([^)]*)\)/g, (m, inner: string) => (/import/.test(m) ? inner : inner.replace(/\r?\n/g, ' ')));
  for (const raw of flat.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '');
    let m = /^\s*import\s+(.+)$/.exec(line);
    if (m) {
      for (const name of m[1].split(',')) {
        const mod = name.trim().split(/\s+as\s+/)[0].trim();
        if (/^[\w.]+$/.test(mod)) out.push(mod);
      }
      continue;
    }
    m = /^\s*from\s+(\.*)([\w.]*)\s+import\s+(.+)$/.exec(line);
    if (!m) continue;
    let base = m[2];
    if (m[1].length > 0) {
      const parts = pkg ? pkg.split('.') : [];
      const up = parts.slice(0, Math.max(0, parts.length - (m[1].length - 1)));
      base = [...up, ...(m[2] ? [m[2]] : [])].join('.');
    }
    if (base) out.push(base);
    // `from pkg import mod` may import a submodule.
    for (const name of m[3].replace(/[()]/g, '').split(',')) {
      const n = name.trim().split(/\s+as\s+/)[0].trim();
      if (/^\w+$/.test(n)) out.push(base ? `${base}.${n}` : n);
    }
  }
  return out;
}

/** `a.b` -> the file of the module (or package `__init__.py`) under one of the roots, relative to the pipeline folder. */
function findModule(name: string, roots: string[], abs: (rel: string) => string, files: FileProbe): { file: string; root: string } | undefined {
  const rel = name.split('.').join('/');
  for (const root of roots) {
    for (const cand of [`${rel}.py`, `${rel}/__init__.py`]) {
      const file = path.posix.normalize(path.posix.join(root, cand));
      if (files.stat(abs(file)) === 'file') return { file, root };
    }
  }
  return undefined;
}

/**
 * Every workspace Python file the entries run or import (transitively),
 * at most `limit` files. `roots` are extra import roots (PYTHONPATH).
 */
export function pythonFilesOf(entries: PythonEntry[], extraRoots: string[], abs: (rel: string) => string, files: FileProbe, limit = 500): string[] {
  const found = new Set<string>();
  const queue: string[] = [];
  // Where imports are looked for: the folders Python puts on sys.path for
  // these commands (script folder, working folder), PYTHONPATH, and the
  // folders scripts add with sys.path.append/insert.
  const roots: string[] = [];
  const addRoot = (r: string) => {
    const n = path.posix.normalize(r);
    if (!n.startsWith('..') && !roots.includes(n)) roots.push(n);
  };
  const visit = (file: string | undefined) => {
    if (!file || found.has(file) || found.size >= limit) return;
    found.add(file);
    queue.push(file);
  };
  for (const e of entries) {
    addRoot(e.cwd);
    if (e.script) addRoot(path.posix.dirname(e.script));
  }
  extraRoots.forEach(addRoot);
  for (const e of entries) {
    if (e.script) visit(files.stat(abs(e.script)) === 'file' ? e.script : undefined);
    else if (e.module) visit(findModule(e.module, roots, abs, files)?.file);
  }
  while (queue.length) {
    const file = queue.shift()!;
    const text = files.readText(abs(file));
    if (text === undefined) continue;
    for (const m of text.matchAll(/sys\.path\.(?:append|insert)\(\s*(?:\d+\s*,\s*)?['"]([^'"]+)['"]\s*\)/g)) {
      for (const e of entries) addRoot(path.posix.join(e.cwd, m[1]));
    }
    const root = roots.find((r) => r === '.' || file.startsWith(r + '/')) ?? path.posix.dirname(file);
    const relDir = path.posix.relative(root, path.posix.dirname(file));
    const pkg = relDir === '' || relDir.startsWith('..') ? '' : relDir.split('/').join('.');
    for (const mod of importsOf(text, pkg)) visit(findModule(mod, roots, abs, files)?.file);
  }
  return [...found];
}
