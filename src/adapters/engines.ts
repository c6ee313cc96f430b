/**
 * Named Docker engines (`engines:` in mlci.yaml, `engine: NAME` on a stage):
 * where their hosts come from and the runner of each.
 *
 * Hosts and keys are per user, so they may stay out of the repository: the
 * user's engines file (`$XDG_CONFIG_HOME/mlci/engines.yaml`, by default
 * `~/.config/mlci/engines.yaml`; MLCI_ENGINES_FILE names another) and the
 * VS Code setting `mlci.engines` (passed as JSON in MLCI_ENGINES) give
 * `host`, `remote` and `identity` (an ssh private key file; the login and the
 * host key check are ssh-login.ts's) by name; they win over mlci.yaml. A name used by a stage but declared nowhere, or without a
 * host, fails that stage with a message saying where to declare it.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// Already loaded with the pipeline parser: no cost here.
import { parse } from 'yaml';
import type { ContainerRunner } from '../core/ports';
import type { EngineSpec } from '../core/pipeline/model';
import { LOCAL_ENGINE } from '../core/pipeline/model';

export interface UserEngine extends EngineSpec {
  /** ssh:// engines: private key file (else the SSH agent). */
  identity?: string;
}

export interface ResolvedEngine {
  name: string;
  host: string;
  remote: boolean;
  identity?: string;
  jobs?: number;
}

/** The user's engines file: MLCI_ENGINES_FILE, else $XDG_CONFIG_HOME/mlci/engines.yaml, else ~/.config/mlci/engines.yaml. */
export function userEnginesFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MLCI_ENGINES_FILE) return env.MLCI_ENGINES_FILE;
  const config = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(config, 'mlci', 'engines.yaml');
}

function engineEntries(v: unknown, where: string): Record<string, UserEngine> {
  const out: Record<string, UserEngine> = {};
  if (v === undefined || v === null) return out;
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`${where}: \`engines\` must be a mapping of names to { host, remote, identity }`);
  for (const [name, raw] of Object.entries(v as Record<string, unknown>)) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: engine '${name}' must be a mapping ({ host: ssh://user@host, remote: true })`);
    const o = raw as Record<string, unknown>;
    const e: UserEngine = {};
    if (o.host !== undefined) {
      if (typeof o.host !== 'string' || !/^(unix|tcp|ssh|npipe):\/\//.test(o.host)) throw new Error(`${where}: engine '${name}': host must be unix://, tcp:// or ssh://, not '${String(o.host)}'`);
      e.host = o.host;
    }
    if (o.remote !== undefined) {
      if (typeof o.remote !== 'boolean') throw new Error(`${where}: engine '${name}': remote must be true or false`);
      e.remote = o.remote;
    }
    if (o.identity !== undefined) {
      if (typeof o.identity !== 'string') throw new Error(`${where}: engine '${name}': identity must be a key file path`);
      e.identity = o.identity.startsWith('~/') ? path.join(os.homedir(), o.identity.slice(2)) : o.identity;
    }
    if (o.jobs !== undefined) {
      if (typeof o.jobs !== 'number' || !Number.isInteger(o.jobs) || o.jobs < 1) throw new Error(`${where}: engine '${name}': jobs must be a whole number of at least 1`);
      e.jobs = o.jobs;
    }
    out[name] = e;
  }
  return out;
}

/** The user's engines: the file (when it exists), then MLCI_ENGINES (JSON, the VS Code setting) over it. */
export async function loadUserEngines(env: NodeJS.ProcessEnv = process.env): Promise<Record<string, UserEngine>> {
  const file = userEnginesFile(env);
  let fromFile: Record<string, UserEngine> = {};
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the engines file ${file}: ${(e as Error).message}`);
  }
  if (text !== undefined) {
    let data: unknown;
    try {
      data = parse(text);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message.split('\n')[0]}`);
    }
    fromFile = engineEntries((data as { engines?: unknown } | null)?.engines, file);
  }
  let fromEnv: Record<string, UserEngine> = {};
  if (env.MLCI_ENGINES) {
    let data: unknown;
    try {
      data = JSON.parse(env.MLCI_ENGINES);
    } catch {
      throw new Error('MLCI_ENGINES (the mlci.engines setting) is not JSON');
    }
    fromEnv = engineEntries(data, 'the mlci.engines setting');
  }
  const out: Record<string, UserEngine> = { ...fromFile };
  for (const [k, v] of Object.entries(fromEnv)) out[k] = { ...out[k], ...v };
  return out;
}

/** An engine's address and placement: the user's settings over mlci.yaml's. */
export function resolveEngine(name: string, declared: Record<string, EngineSpec>, user: Record<string, UserEngine>, env: NodeJS.ProcessEnv = process.env): ResolvedEngine {
  if (!(name in declared) && !(name in user)) {
    const known = [...new Set([...Object.keys(declared), ...Object.keys(user)])];
    throw new Error(`engine '${name}' is not declared: add it under \`engines:\` in the pipeline file or in ${userEnginesFile(env)}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }
  const spec: UserEngine = { ...declared[name], ...user[name] };
  if (!spec.host) throw new Error(`engine '${name}' has no host: give it in ${userEnginesFile(env)} (engines: { ${name}: { host: ssh://user@gpu-box } }) or in the pipeline file`);
  return {
    name,
    host: spec.host,
    // A socket is on this machine; tcp:// and ssh:// usually are another one.
    remote: spec.remote ?? !/^(unix|npipe):\/\//.test(spec.host),
    ...(spec.identity ? { identity: spec.identity } : {}),
    ...(spec.jobs ? { jobs: spec.jobs } : {}),
  };
}

/** A named engine's `jobs` (stages at once on it), the user's settings over mlci.yaml's; undefined when none is declared. */
export function engineJobsOf(declared: Record<string, EngineSpec>, env: NodeJS.ProcessEnv = process.env): (name: string) => Promise<number | undefined> {
  let user: Promise<Record<string, UserEngine>> | undefined;
  return async (name) => {
    if (name === LOCAL_ENGINE) return undefined;
    user ??= loadUserEngines(env);
    return resolveEngine(name, declared, await user, env).jobs;
  };
}

/**
 * Runners of named engines, created (and checked) once each. An unknown,
 * host-less or unreachable engine throws an Error naming the engine and the
 * reason, which fails the stages placed on it.
 */
export function engineRunners(declared: Record<string, EngineSpec>, env: NodeJS.ProcessEnv = process.env): (name: string) => Promise<ContainerRunner> {
  const made = new Map<string, Promise<ContainerRunner>>();
  let user: Promise<Record<string, UserEngine>> | undefined;
  return (name) => {
    let r = made.get(name);
    if (!r) {
      r = (async () => {
        if (name === LOCAL_ENGINE) throw new Error('the local engine is the default runner');
        user ??= loadUserEngines(env);
        const e = resolveEngine(name, declared, await user, env);
        const { DockerRunner } = await import('./docker/docker-runner');
        const runner = new DockerRunner({ host: e.host, engineName: name, remote: e.remote, ...(e.identity ? { identityFile: e.identity } : {}) });
        try {
          await runner.check();
        } catch (err) {
          throw new Error(`engine '${name}' (${e.host}) is unreachable: ${reasonOf(err)}`, { cause: err });
        }
        return runner;
      })();
      made.set(name, r);
    }
    return r;
  };
}

function reasonOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const m = /is unreachable \((.*)\)\. /.exec((err as Error).message);
  return m?.[1] ?? (cause instanceof Error ? cause.message : (err as Error).message);
}
