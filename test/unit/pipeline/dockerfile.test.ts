/** The Dockerfile reader behind build: checks, FROM mapping and step lines. */
import { strict as assert } from 'node:assert';
import { argsWithoutValue, baseImages, lineOfStep, mapFromImages, parseDockerfile } from '../../../src/core/build/dockerfile';
import { describeChange, imageTag } from '../../../src/core/build/context';

describe('Dockerfile reader', () => {
  const text = '# syntax=docker/dockerfile:1\nARG PY=3.12\nFROM python:${PY}-slim AS base\n\n# deps\nRUN apt-get update && \\\n    apt-get install -y git\nFROM base AS runtime\nCOPY . /src\n';

  it('numbers instructions by their first line, joining continuations and skipping comments and directives', () => {
    const p = parseDockerfile(text);
    assert.deepEqual(p.problems, []);
    assert.deepEqual(p.instructions.map((i) => [i.keyword, i.line]), [['ARG', 2], ['FROM', 3], ['RUN', 6], ['FROM', 8], ['COPY', 9]]);
    assert.equal(p.instructions[2].args, 'apt-get update &&  apt-get install -y git');
    assert.equal(lineOfStep(p, 3), 6, 'classic builder Step 3 is the RUN on line 6');
  });

  it('finds external bases (ARGs resolved, stage aliases and scratch skipped) and maps FROM images', () => {
    const p = parseDockerfile('FROM python:3.12-slim AS a\nFROM a\nFROM scratch\nFROM busybox\n');
    assert.deepEqual(baseImages(p, {}), [{ image: 'python:3.12-slim', line: 1 }, { image: 'busybox', line: 4 }]);
    assert.deepEqual(baseImages(parseDockerfile(text), { PY: '3.11' }), [{ image: 'python:3.11-slim', line: 3 }]);
    assert.equal(mapFromImages('FROM python:3.12-slim AS a\nRUN x\n', parseDockerfile('FROM python:3.12-slim AS a\nRUN x\n'), new Map([['python:3.12-slim', 'local/py:1']])), 'FROM local/py:1 AS a\nRUN x\n');
  });

  it('reports unknown instructions, a missing FROM, instructions before FROM and ARGs without a value, at their lines', () => {
    assert.deepEqual(parseDockerfile('FROM a\nRUNN x\n').problems.map((p) => p.line), [2]);
    assert.match(parseDockerfile('RUN x\n').problems[0].message, /no FROM/);
    assert.match(parseDockerfile('RUN x\nFROM a\n').problems[0].message, /first instruction must be FROM/);
    const p = parseDockerfile('ARG A\nARG B=1\nFROM x\nARG C\nARG HTTP_PROXY\n');
    assert.deepEqual(argsWithoutValue(p, { C: 'given' }), [{ name: 'A', line: 1 }]);
  });

  it('names what changed between two builds, and makes valid image tags', () => {
    const before = { files: { 'requirements.txt': 'a', 'src/x.py': 'b' }, dockerfile: 'd', dockerfilePath: 'Dockerfile', args: { V: '1' }, target: null };
    assert.equal(describeChange(before, { ...before, files: { ...before.files, 'requirements.txt': 'z' } }), 'requirements.txt changed');
    assert.equal(describeChange(before, { ...before, dockerfile: 'e', args: { V: '2' } }), 'Dockerfile changed, build arg V changed');
    assert.equal(describeChange(undefined, before), 'build context changed');
    assert.equal(imageTag('Churn Model', 'train@lr=0.1', 'ab'.repeat(32)), 'mlci/churn-model/train-lr-0.1:abababababababab');
  });
});
