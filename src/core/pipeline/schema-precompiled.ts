/**
 * The pipeline schema's validator compiled ahead of time. From source
 * (tests, tsx) there is none and schema-check.ts compiles the schema with
 * ajv on first use; the bundles (scripts/build.mjs) replace this module
 * with one that loads dist/schema-validator.js (ajv's standalone code for
 * schemas/mlci.schema.json, compiled with the same options, ajv-options.json)
 * on the first validation: a CLI process or the extension does not spend
 * ~90 ms compiling the schema on every start, and the extension's bundle
 * does not carry the ~360 KB of generated code that activation would read.
 */
import type { ValidateFunction } from 'ajv';

/** The precompiled validator, loaded on first call; undefined from source. */
export function loadPrecompiledValidator(): ValidateFunction | undefined {
  return undefined;
}
