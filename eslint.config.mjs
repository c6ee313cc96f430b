// Lint rules that keep the architecture honest: the core never sees vscode,
// dockerode or simple-git; webviews never see vscode or node.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['scratch/**', 'dist/**', 'media/webview/**', 'node_modules/**', 'examples/**', '.vscode-test/**', 'out/**', '.mlci/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  // Plain CommonJS support files (mocha reporter) use require by nature.
  { files: ['**/*.js', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/core is free of vscode: put this in src/adapters/vscode.' },
          { name: 'dockerode', message: 'src/core is free of dockerode: use the ContainerRunner port.' },
          { name: 'simple-git', message: 'src/core is free of simple-git: use the Git port.' },
        ],
        patterns: [{ group: ['**/adapters/**', '**/cli/**', '**/extension'], message: 'The core does not import adapters or entry points.' }],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The CLI never imports vscode.' }] }] },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Webviews talk to the extension through src/protocol messages only.' }],
        patterns: [{ group: ['node:*', '**/src/core/**', '**/src/adapters/**'], message: 'Webviews import src/protocol types only.' }],
      }],
    },
  },
);
