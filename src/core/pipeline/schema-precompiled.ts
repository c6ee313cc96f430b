/**
 * The pipeline schema's validator compiled ahead of time. From source
 * (tests, tsx) this is undefined and schema-check.ts compiles the schema
 * with ajv on first use; the bundles (scripts/build.mjs) replace this
 * module with ajv's standalone code for schemas/mlci.schema.json, compiled
 * with the same options (ajv-options.json), so a CLI process or the
 * extension does not spend ~90 ms compiling the schema on every start.
 */
import type { ValidateFunction } from 'ajv';

export const precompiledValidator: ValidateFunction | undefined = undefined;
