import { strict as assert } from 'node:assert';
import type { DriftColumnReport, DriftReport } from '../../../src/core/drift/report';
import {
  escapeHtml, escapeMarkdown, formatHtml, formatJson, formatMarkdown, formatNumber, formatTable, parseDriftReport,
} from '../../../src/core/drift/report';

const EVIL = '<img src=x onerror=alert(1)>';

/** `data` with the value at a dotted path ("columns.0.statistic") replaced, or deleted for undefined. */
function spoiled(data: unknown, at: string, value: unknown): unknown {
  const keys = at.split('.');
  let node = data as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return data;
}

function column(over: Partial<DriftColumnReport>): DriftColumnReport {
  return {
    name: 'tenure', type: 'numeric', test: 'ks', statistic: 0.3075, pvalue: 4.04e-56, threshold: 0.05, drifted: true,
    referenceSize: 2000, currentSize: 1000, missing: { reference: 0, current: 0 }, warnings: [],
    histogram: { kind: 'numeric', edges: [0, 60, 120], reference: [1500, 500], current: [950, 50] },
    ...over,
  };
}

function sample(): DriftReport {
  return {
    version: 1,
    reference: { path: 'data/train.csv', rows: 2000 },
    current: { path: 'data/current.csv', rows: 1000 },
    share: 0.5,
    driftedShare: 0.5,
    datasetDrift: true,
    problems: [],
    columns: [
      column({}),
      column({ name: 'support_calls', statistic: 0.42, pvalue: 6.1e-106 }),
      column({
        name: 'plan', type: 'categorical', test: 'chisquare', statistic: Infinity, pvalue: 0, drifted: false,
        newCategories: ['enterprise', EVIL], missingCategories: ['legacy'], missing: { reference: 3, current: 1 },
        warnings: ['1 of 4 categories have an expected count below 5: the chi-square p-value is approximate'],
        histogram: { kind: 'categorical', categories: ['basic', EVIL], reference: [900, 0], current: [450, 5], other: { categories: 2, reference: 10, current: 3 } },
      }),
      column({ name: EVIL, test: 'wasserstein', statistic: 2000, pvalue: undefined, distance: 3.464, threshold: 0.1, drifted: false }),
    ],
    skipped: [{ name: 'customer_id', reason: 'excluded (drift.exclude)' }],
    missingColumns: [],
    newColumns: [],
    warnings: ['drift.include lists "coupon", which is in neither file'],
    durationMs: 12,
  };
}

describe('drift: report formats', () => {
  it('formatNumber: 4 significant digits, exponents for tiny values, words for non-finite', () => {
    assert.equal(formatNumber(0.30751234), '0.3075');
    assert.equal(formatNumber(4.04118479218269e-56), '4.04e-56');
    assert.equal(formatNumber(2000), '2000');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(Infinity), 'inf');
    assert.equal(formatNumber(NaN), 'NaN');
    assert.equal(formatNumber(undefined), '');
  });

  it('table: aligned columns, notes, and the verdict as the last line', () => {
    const text = formatTable(sample());
    const lines = text.split('\n');
    assert.equal(lines[0], 'drift: data/current.csv (1000 rows) vs reference data/train.csv (2000 rows)');
    const header = lines.find((l) => l.startsWith('column'))!;
    const tenure = lines.find((l) => l.startsWith('tenure'))!;
    assert.equal(tenure.indexOf('ks'), header.indexOf('test'));
    assert.equal(tenure.indexOf('DRIFT'), header.indexOf('verdict'));
    assert.match(text, /plan +categorical +chisquare +inf +0 \(p-value\) +< 0\.05 +ok/);
    assert.match(text, /plan: new categories in current: enterprise, <img/);
    assert.match(text, /plan: missing values removed: 3 in reference, 1 in current/);
    assert.match(text, /customer_id: not compared: excluded/);
    assert.equal(lines[lines.length - 1], 'dataset drift: 2 of 4 columns drifted (50% >= 50%)');
  });

  it('table: control characters in names cannot move the cursor or break alignment', () => {
    const r = sample();
    r.columns[0]!.name = 'a\tb\u001b[2J';
    assert.ok(!/[\t\u001b]/.test(formatTable(r)));
  });

  it('markdown: a table with escaped names, and notes in a details block', () => {
    const md = formatMarkdown(sample());
    assert.match(md, /^### 🔴 Data drift: dataset drift: 2 of 4 columns drifted \(50% >= 50%\)$/m);
    assert.match(md, /^\| tenure \| numeric \| ks \| 0\.3075 \| 4\.04e-56 \(p-value\) \| < 0\.05 \| \*\*drift\*\* \|$/m);
    assert.ok(!md.includes(EVIL), 'raw HTML from the data must not reach the Markdown');
    assert.ok(md.includes('&lt;img src=x onerror=alert\\(1\\)&gt;'));
    assert.equal(escapeMarkdown('a|b'), 'a\\|b');
    assert.equal(escapeMarkdown('[x](http://e)'), '\\[x\\]\\(http://e\\)');
    assert.equal(escapeMarkdown('two\nlines'), 'two lines');
    assert.match(md, /<details><summary>Notes and warnings<\/summary>/);
    // Every table row has the same number of cells, whatever the names hold.
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    const cells = (l: string): number => l.replace(/\\\|/g, '').split('|').length;
    assert.ok(rows.every((l) => cells(l) === cells(rows[0]!)));
  });

  it('html: self-contained (no script, no external resource) and every data string escaped', () => {
    const html = formatHtml(sample());
    assert.match(html, /^<!DOCTYPE html>/);
    assert.ok(!html.includes(EVIL), 'the column and category names must be escaped');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(!/<script/i.test(html));
    assert.ok(!/\son\w+\s*=/i.test(html.replace(/&lt;img src=x onerror=alert\(1\)&gt;/g, '')), 'no event handler attributes');
    assert.ok(!/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), 'no external resources');
    assert.ok(!/<link|@import|url\(/i.test(html));
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.equal((html.match(/<svg /g) ?? []).length, 4, 'one inline histogram per column');
    assert.match(html, /\(2 others\)/);
    assert.equal(escapeHtml(`"'&<>`), '&quot;&#39;&amp;&lt;&gt;');
  });

  it('json: versioned, Infinity and NaN kept as strings and read back as numbers', () => {
    const r = sample();
    r.columns[0]!.pvalue = NaN;
    const text = formatJson(r);
    const raw = JSON.parse(text) as { version: number; columns: { statistic: unknown; pvalue: unknown }[] };
    assert.equal(raw.version, 1);
    assert.equal(raw.columns[2]!.statistic, 'Infinity');
    assert.equal(raw.columns[0]!.pvalue, 'NaN');
    const back = parseDriftReport(text);
    assert.equal(back.columns[2]!.statistic, Infinity);
    assert.ok(Number.isNaN(back.columns[0]!.pvalue));
    assert.deepEqual(back.columns[1], r.columns[1]);
    assert.equal(back.columns[2]!.newCategories![1], EVIL);
  });

  it('parseDriftReport refuses other versions and other documents', () => {
    assert.throws(() => parseDriftReport('{"version":2,"datasetDrift":true,"columns":[]}'), /unsupported drift report version 2/);
    assert.throws(() => parseDriftReport('[]'), /^Error: not a drift report: expected a JSON object$/);
    assert.throws(() => parseDriftReport('{"version":1'), /^Error: not a drift report: not JSON/);
    assert.throws(() => parseDriftReport('{"version":1}'), /^Error: not a valid drift report: reference is missing$/);
  });

  it('parseDriftReport: wrong-typed fields are refused naming the field, the expected type and the value found', () => {
    const cases: [string, string, unknown, string][] = [
      ['a string statistic', 'columns.0.statistic', 'abc', 'columns[0].statistic must be a number, not "abc"'],
      ['a string verdict', 'datasetDrift', 'yes', 'datasetDrift must be a boolean, not "yes"'],
      ['columns as an object', 'columns', {}, 'columns must be an array, not {}'],
      ['an unknown test', 'columns.1.test', 'ttest', 'columns[1].test must be one of "ks", "chisquare", "wasserstein", "psi", "jensenshannon", not "ttest"'],
      ['no histogram', 'columns.0.histogram', undefined, 'columns[0].histogram is missing'],
      ['a name as a number', 'columns.3.name', 7, 'columns[3].name must be a string, not 7'],
      ['rows as a string', 'current.rows', '1000', 'current.rows must be an integer, not "1000"'],
      ['a negative count', 'columns.0.missing.current', -1, 'columns[0].missing.current must be >= 0 (-1)'],
      ['bins without their edges', 'columns.0.histogram.edges', [0, 60], 'columns[0] ("tenure").histogram: 2 bins need 3 edges, not 2'],
      ['bars of two lengths', 'columns.2.histogram.current', [450, 5, 1], 'columns[2] ("plan").histogram: reference has 2 bars but current 3'],
      ['a problem that is no text', 'problems', [{}], 'problems[0] must be a string, not {}'],
    ];
    for (const [what, at, value, message] of cases) {
      const data = spoiled(JSON.parse(formatJson(sample())), at, value);
      assert.throws(() => parseDriftReport(JSON.stringify(data)), (e: Error) => {
        assert.equal(e.message, `not a valid drift report: ${message}`, what);
        return true;
      });
    }
  });

  it('parseDriftReport: a report written before `problems` existed reads with none', () => {
    const data = JSON.parse(formatJson(sample())) as Record<string, unknown>;
    delete data.problems;
    assert.deepEqual(parseDriftReport(JSON.stringify(data)).problems, []);
  });

  it('problems lead the verdict in every format; names from the data stay inert', () => {
    const r = sample();
    r.problems = ['column "a\u001b[2J|<b>" of reference data/train.csv missing from current data/current.csv; exclude them (drift.exclude, or --exclude) if that is expected'.replace('\\u001b', '\u001b')];
    const table = formatTable(r).split('\n');
    assert.equal(table[table.length - 1], 'dataset drift: column "a?[2J|<b>" of reference data/train.csv missing from current data/current.csv; exclude them (drift.exclude, or --exclude) if that is expected; 2 of 4 columns drifted (50% >= 50%)');
    const md = formatMarkdown(r);
    assert.ok(!md.includes('<b>') && md.includes('&lt;b&gt;'));
    assert.ok(md.split('\n')[0]!.startsWith('### 🔴 Data drift: dataset drift: column "a'), md);
    assert.ok(md.split('\n')[0]!.includes('\\|&lt;b&gt;" of reference data/train\\.csv missing from current'), md);
    assert.ok(formatHtml(r).includes('column &quot;a\u001b[2J|&lt;b&gt;&quot; of reference'));
  });
});
