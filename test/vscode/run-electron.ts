/**
 * The same extension-host tests in DESKTOP VS Code (Electron), for machines
 * with internet access: @vscode/test-electron downloads VS Code from
 * update.code.visualstudio.com, which this project's CI cannot reach, so CI
 * uses scripts/test-vscode.mjs (code-server) instead and this file is not run
 * there. It needs a dev dependency the repo does not have:
 *
 *   npm i -D @vscode/test-electron
 *   npx tsx test/vscode/run-electron.ts [--restricted] [--grep PATTERN] [--workspace DIR]
 *
 * MLCI_VSCODE_VERSION picks the VS Code version (default: stable; the
 * manifest's engines.vscode is the oldest supported one). On Linux without a
 * display, run it under xvfb-run. Output lines of the tests carry the
 * `[mlci-test] ` prefix that test/vscode/suite/index.ts adds for the
 * code-server harness; the last one is `N passed, N failed`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface TestElectron {
  runTests(options: {
    version?: string;
    extensionDevelopmentPath: string;
    extensionTestsPath: string;
    launchArgs?: string[];
    extensionTestsEnv?: Record<string, string | undefined>;
  }): Promise<number>;
}

const root = path.resolve(__dirname, '..', '..');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Loaded lazily so that the rest of the repo type-checks and runs without it. */
async function loadTestElectron(): Promise<TestElectron> {
  const name = '@vscode/test-electron';
  try {
    return (await import(name)) as TestElectron;
  } catch {
    console.error(`${name} is not installed: run \`npm i -D ${name}\` (needs internet, as does the VS Code download).\n` +
      'Without internet use the code-server harness: node scripts/test-vscode.mjs');
    process.exit(2);
  }
}

async function main(): Promise<number> {
  const { runTests } = await loadTestElectron();
  const restricted = process.argv.includes('--restricted');
  const grep = option('grep');

  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  execFileSync('node', [path.join(root, 'scripts', 'build-tests.mjs')], { cwd: root, stdio: 'inherit' });

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mlci-electron.'));
  try {
    let workspace = option('workspace');
    if (workspace) workspace = path.resolve(workspace);
    else {
      // A git copy of the example, as in scripts/test-vscode.mjs.
      workspace = path.join(tmp, 'churn');
      cpSync(path.join(root, 'examples', 'churn'), workspace, { recursive: true });
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=mlci tests', '-c', 'user.email=tests@mlci.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: workspace, stdio: 'ignore' });
      git('init', '-q', '-b', 'main');
      git('add', '-A');
      git('commit', '-q', '-m', 'test workspace');
    }
    const userData = path.join(tmp, 'user-data');
    mkdirSync(path.join(userData, 'User'), { recursive: true });
    writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'git.autofetch': false,
      'security.workspace.trust.enabled': restricted,
      'security.workspace.trust.startupPrompt': 'never',
    }, null, 2));

    return await runTests({
      version: process.env.MLCI_VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'vscode-test', 'suite.js'),
      launchArgs: [
        workspace,
        '--disable-extensions', // other installed extensions; the one under development still loads
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir', userData,
        '--extensions-dir', path.join(tmp, 'extensions'),
        ...(restricted ? [] : ['--disable-workspace-trust']),
      ],
      extensionTestsEnv: {
        MLCI_TEST_TRUST: restricted ? 'restricted' : 'trusted',
        MLCI_TEST_GREP: grep,
        MLCI_TEST_TIMEOUT: process.env.MLCI_TEST_TIMEOUT,
        DOCKER_HOST: process.env.DOCKER_HOST,
      },
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
