// The list of bundled extension-host test files, generated at bundle time by
// scripts/build-tests.mjs (every test/vscode/suite/**/*.test.ts).
declare module 'mlci:vscode-tests' {
  const tests: ReadonlyArray<{ readonly file: string; load(): unknown }>;
  export default tests;
}
