/**
 * `mlci verify`: run what remote CI runs and check the gates; `mlci push`:
 * the same, then `git push` only when it passed; `mlci hook`: guard plain
 * `git push` with it.
 *
 * Decision (uncommitted changes): verification refuses a working tree with
 * uncommitted or untracked changes, because what gets pushed is the
 * commit, and a green run of other files proves nothing about it. Commit
 * or stash first (`mlci verify --allow-dirty` runs anyway, for a local
 * check; `mlci push` never does).
 */
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Command, CliIo } from '../command';
import { CliError } from '../errors';
import { chooseRunner, parseExecutor } from '../executor';
import { EXIT_CANNOT_RUN, loadPipeline } from '../workspace';
import { progressPrinter } from '../progress';
import { verify } from '../../adapters/verify';
import { branchState, changedTracked, commitFiles, commitsBetween, fileChanged, push } from '../../adapters/git/branch-state';
import { outPaths } from '../../core/run/fingerprint';
import { formatGateResults } from '../../core/gates';
import { installHook, uninstallHook } from '../../core/hook';
import { imageMappingSpecs, parseImageMapping } from '../../core/run/images';

export async function runVerify(values: Record<string, unknown>, io: CliIo, allowDirty: boolean) {
  const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
  let state;
  try {
    state = await branchState(loaded.root);
  } catch {
    state = undefined; // not a git repository: nothing to compare with
  }
  if (state && state.changes.length && !allowDirty) {
    const shown = state.changes.slice(0, 10).join(', ') + (state.changes.length > 10 ? `, and ${state.changes.length - 10} more` : '');
    throw new CliError(`uncommitted changes (${shown}): what is pushed is the commit, so verify that: commit or stash first${values['allow-dirty'] === undefined ? '' : ''}`, EXIT_CANNOT_RUN);
  }
  const runner = await chooseRunner(parseExecutor(values.executor), io.err, io.event?.bind(io));
  const imageMap = parseImageMapping(imageMappingSpecs(io.env, (values.image as string[] | undefined) ?? []));
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await verify({
      root: loaded.root, pipelineFile: path.basename(loaded.file), pipeline: loaded.pipeline, params: loaded.params, runner, imageMap,
      signal: controller.signal, onEvent: progressPrinter(values.quiet ? { ...io, out: () => undefined } : io, { quietLogs: true }),
    });
    for (const line of formatGateResults(result.record.gates ?? [])) io.out(line);
    const noBase = (result.record.gates ?? []).filter((g) => g.noBaseline && g.status === 'skipped');
    // A gate with nothing to compare with did not pass: say so instead of "every gate passed".
    const green = noBase.length ? `verified: every CI stage passed; ${noBase.length} gate${noBase.length === 1 ? ' has' : 's have'} no baseline (${noBase.map((g) => `${g.stage}: ${g.name}`).join(', ')}), so ${noBase.length === 1 ? 'it was' : 'they were'} not checked; ci.require_baseline: true makes that a failure` : 'verified: every CI stage and gate passed';
    const verdict = result.exitCode === 0 ? green : result.exitCode === 2 ? 'NOT verified: a gate failed' : result.exitCode === 130 ? 'cancelled' : 'NOT verified: a stage failed';
    io.out(`${verdict} (run ${result.record.id}; report ${path.relative(io.cwd, result.reportFile)})`);
    return { result, loaded, state };
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

const COMMON = {
  file: { type: 'string' as const, short: 'f' },
  executor: { type: 'string' as const, default: 'auto' },
  image: { type: 'string' as const, multiple: true },
};

export const verifyCommand: Command = {
  name: 'verify',
  errorExit: EXIT_CANNOT_RUN,
  events: true,
  summary: 'run the stages remote CI runs and check the gates against the baseline',
  usage: 'mlci verify [-f FILE] [--executor docker|local|auto] [--image FROM=TO] [--allow-dirty]',
  help: `Runs ci.stages (default: every test, data, evaluate and drift stage) and what
they need, in the same images, skipping what is up to date, then evaluates the
gates (regression gates against ci.baseline, default main, as committed).
Writes verify.md and verify.json into the run folder.
Refuses uncommitted changes (what is pushed is the commit) unless --allow-dirty.

Exit codes: 0 verified, 1 a stage failed, 2 a gate failed, 3 could not run
(invalid pipeline, uncommitted changes, engine unreachable), 130 cancelled.`,
  options: { ...COMMON, 'allow-dirty': { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false } },
  allowPositionals: false,
  async run({ values }, io) {
    const { result } = await runVerify(values, io, values['allow-dirty'] as boolean);
    return result.exitCode;
  },
};

export const pushCommand: Command = {
  name: 'push',
  errorExit: EXIT_CANNOT_RUN,
  events: true,
  summary: 'verify, then git push only when every CI stage and gate passed',
  usage: 'mlci push [REMOTE] [BRANCH] [-f FILE] [--executor ...] [--commit-lock] [--no-verify]',
  help: `Checks the branch (not detached), that it is not behind its upstream, and that
nothing is uncommitted; runs mlci verify; pushes only when it passed (the
pre-push hook, if installed, does not verify the same commit twice).
When verify reruns stages and so changes mlci.lock, the commit no longer
records what was verified: push refuses, or with --commit-lock commits the
lock, verifies that commit, and pushes it. It lists the commits it pushed.

--no-verify pushes without verifying (the same branch checks apply; the
pre-push hook is told not to verify either): for the times you decide to.

Exit codes: 0 pushed (or nothing to push), 1 a stage failed, 2 a gate failed,
3 not pushed for another reason (dirty tree, behind, detached, push error).`,
  options: { ...COMMON, 'commit-lock': { type: 'boolean', default: false }, 'no-verify': { type: 'boolean', default: false } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    let state;
    try {
      state = await branchState(loaded.root);
    } catch (e) {
      throw new CliError(`not a git repository (${(e as Error).message.split('\n')[0]})`, EXIT_CANNOT_RUN);
    }
    if (!state.branch) throw new CliError('HEAD is detached: check out a branch to push', EXIT_CANNOT_RUN);
    if (state.behind > 0) throw new CliError(`${state.branch} is ${state.behind} commit(s) behind ${state.upstream}: pull or rebase first, then verify what you will push`, EXIT_CANNOT_RUN);
    if (state.upstream && state.ahead === 0) {
      io.out(`nothing to push: ${state.branch} is up to date with ${state.upstream}`);
      return 0;
    }
    let head = state.head;
    if (values['no-verify']) {
      if (state.changes.length) throw new CliError(`uncommitted changes (${state.changes.slice(0, 5).join(', ')}): what is pushed is the commit, so commit or stash first`, EXIT_CANNOT_RUN);
      io.out('pushing WITHOUT verification (--no-verify)');
    } else {
      let { result } = await runVerify(values, io, false);
      if (result.exitCode !== 0) {
        io.out('not pushed.');
        return result.exitCode;
      }
      // Stages reran and wrote a new mlci.lock: the commit does not carry what was verified.
      const lock = path.join(loaded.root, 'mlci.lock');
      if (await fileChanged(loaded.root, lock)) {
        if (!values['commit-lock']) {
          io.out(`not pushed: verify reran stages and changed ${path.relative(io.cwd, lock) || 'mlci.lock'}, so the commit does not record what was verified; commit it (or run mlci push --commit-lock), then push`);
          return EXIT_CANNOT_RUN;
        }
        // The lock and the committed outputs the rerun rewrote (metrics files tracked in git).
        const outs = loaded.pipeline.stages.flatMap((s) => outPaths(s)).map((p) => path.join(loaded.root, p));
        const files = [lock, ...(await changedTracked(loaded.root, outs)).map((f) => path.resolve(loaded.root, f))];
        head = await commitFiles(loaded.root, [...new Set(files)], `mlci: update mlci.lock (verified in run ${result.record.id})`);
        io.out(`committed mlci.lock${files.length > 1 ? ` and ${files.length - 1} output file${files.length === 2 ? '' : 's'}` : ''} as ${head.slice(0, 7)}; verifying that commit`);
        ({ result } = await runVerify(values, io, false));
        if (result.exitCode !== 0 || (await fileChanged(loaded.root, lock))) {
          io.out('not pushed.');
          return result.exitCode || EXIT_CANNOT_RUN;
        }
      }
    }
    const remote = positionals[0] ?? state.upstream?.split('/')[0] ?? 'origin';
    const branch = positionals[1] ?? state.branch;
    try {
      const commits = await commitsBetween(loaded.root, state.upstream, 'HEAD');
      const pushed = await push(loaded.root, { remote, branch, setUpstream: !state.upstream, verifiedCommit: head });
      io.out(`pushed ${branch} to ${remote} (${pushed}): ${commits.length} commit${commits.length === 1 ? '' : 's'}`);
      for (const c of commits) io.out(`  ${c}`);
      return 0;
    } catch (e) {
      throw new CliError(`git push failed: ${(e as Error).message.split('\n')[0]}`, EXIT_CANNOT_RUN);
    }
  },
};

export const hookCommand: Command = {
  name: 'hook',
  summary: 'install or remove the git pre-push hook that runs mlci verify',
  usage: 'mlci hook install|uninstall [-f FILE] [--chain]',
  help: `install: writes .git/hooks/pre-push (or core.hooksPath) running mlci verify for
the pipeline file; an existing hook that is not mlci's is never replaced:
--chain keeps it as pre-push.local and runs it first.
uninstall: removes mlci's hook (restoring a chained one).`,
  options: { file: { type: 'string', short: 'f' }, chain: { type: 'boolean', default: false } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const action = positionals[0];
    if (action !== 'install' && action !== 'uninstall') throw new CliError(`say install or uninstall (mlci hook ${action ?? ''})`);
    const loaded = await loadPipeline(io.cwd, values.file as string | undefined, io.err);
    let hooksDir: string;
    try {
      hooksDir = path.resolve(loaded.root, execFileSync('git', ['rev-parse', '--git-path', 'hooks'], { cwd: loaded.root, encoding: 'utf8' }).trim());
    } catch {
      throw new CliError('not a git repository: no hooks to install', EXIT_CANNOT_RUN);
    }
    const r = action === 'install'
      ? installHook(hooksDir, { node: process.execPath, cli: path.resolve(process.argv[1] ?? 'mlci'), pipelineFile: loaded.file, chain: values.chain as boolean })
      : uninstallHook(hooksDir);
    (r.ok ? io.out : io.err)(r.message);
    return r.ok ? 0 : 1;
  },
};
