/**
 * The streaming tokenizer: results independent of chunk boundaries, BOM,
 * delimiter sniffing, line ends, blank lines, and the error paths (ragged,
 * empty, over-long rows, invalid UTF-8 cut across chunks).
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FieldSink } from '../../../src/core/data/csv';
import { CsvTokenizer, sniffDelimiter } from '../../../src/core/data/csv';
import { DataError } from '../../../src/core/data/errors';
import { collect, FIXTURES, TempDir } from './helpers';

/** A string with every construct that has state across a chunk boundary. */
const TRICKY = [
  '\ufeffid;name;note\r\n',
  '1;"Zoë ""the"" 🦊";"multi\r\nline\rfield"\r\n',
  '2;ʤ€𝄞;\r',
  '\n',
  '3;"";plain "quote" inside\n',
  '\n\r\n',
  '4;"a"b;last',
].join('');

describe('csv tokenizer', () => {
  const tmp = new TempDir();
  after(() => tmp.remove());

  describe('chunk boundaries', () => {
    const corpus = readdirSync(join(FIXTURES, 'files')).map((f) => join(FIXTURES, 'files', f));
    const tricky = tmp.file('tricky.csv', TRICKY);
    for (const path of [tricky, ...corpus]) {
      const name = path.split('/').pop()!;
      it(`${name}: chunks of 1, 2, 3, 7 bytes give what one chunk gives`, async () => {
        for (const encoding of ['utf-8', 'latin1'] as const) {
          const whole = await collect(path, { encoding, ragged: 'keep' });
          for (const chunkBytes of [1, 2, 3, 7]) {
            const cut = await collect(path, { encoding, ragged: 'keep', chunkBytes });
            assert.deepEqual(cut.records, whole.records, `chunkBytes ${chunkBytes}, ${encoding}`);
            assert.equal(cut.error?.message, whole.error?.message, `chunkBytes ${chunkBytes}, ${encoding}`);
          }
        }
      });
    }

    it('reads the tricky file right: quotes, CR/CRLF/LF, blank lines, 4-byte UTF-8', async () => {
      const { records, error } = await collect(tricky, { chunkBytes: 1 });
      assert.equal(error, undefined);
      assert.deepEqual(records, [
        ['id', 'name', 'note'],
        ['1', 'Zoë "the" 🦊', 'multi\r\nline\rfield'],
        ['2', 'ʤ€𝄞', ''],
        ['3', '', 'plain "quote" inside'],
        ['4', 'ab', 'last'],
      ]);
    });

    it('a CR at the end of a chunk and the LF that starts the next make one line end', async () => {
      const path = tmp.file('crlf.csv', 'a,b\r\n1,2\r\n3,4\r\n');
      for (let size = 1; size <= 6; size++) {
        const { records } = await collect(path, { chunkBytes: size });
        assert.deepEqual(records, [['a', 'b'], ['1', '2'], ['3', '4']]);
      }
    });

    it('invalid UTF-8 cut across chunks is found at the same offset', async () => {
      // A 3-byte sequence whose last byte is wrong: E2 82 41.
      const path = tmp.file('cut.csv', Buffer.concat([Buffer.from('a,b\nxx,'), Buffer.from([0xe2, 0x82, 0x41]), Buffer.from('\n')]));
      for (const chunkBytes of [1, 2, 3, 8, 9, 1024]) {
        const { error } = await collect(path, { chunkBytes });
        assert.equal(error?.code, 'invalid-utf8', `chunkBytes ${chunkBytes}`);
        assert.equal(error?.offset, 7);
        assert.equal(error?.row, 2);
      }
    });

    it('a UTF-8 sequence cut by the end of the file is invalid', async () => {
      const path = tmp.file('tail.csv', Buffer.concat([Buffer.from('a\n'), Buffer.from([0xf0, 0x9f])]));
      const { error } = await collect(path, { chunkBytes: 1 });
      assert.equal(error?.code, 'invalid-utf8');
      assert.equal(error?.offset, 2);
    });
  });

  describe('BOM and encodings', () => {
    it('strips a UTF-8 BOM even when it arrives one byte at a time', async () => {
      const path = tmp.file('bom.csv', '\ufeffA;B\n1;2\n');
      const { records } = await collect(path, { chunkBytes: 1 });
      assert.deepEqual(records, [['A', 'B'], ['1', '2']]);
    });

    it('a BOM-only file is empty', async () => {
      const { error } = await collect(tmp.file('bomonly.csv', '\ufeff'));
      assert.equal(error?.code, 'empty-file');
    });

    it('rejects overlong encodings and surrogates', async () => {
      for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff]]) {
        const path = tmp.file('bad.csv', Buffer.concat([Buffer.from('a\n'), Buffer.from(bad), Buffer.from('\n')]));
        const { error } = await collect(path);
        assert.equal(error?.code, 'invalid-utf8', bad.join(' '));
      }
    });
  });

  describe('delimiter detection', () => {
    const cases: Array<[string, string, string[][]]> = [
      ['semicolon (decimal commas)', 'a;b;c\n1,5;2,5;x\n3,0;4,0;y\n', [['a', 'b', 'c'], ['1,5', '2,5', 'x'], ['3,0', '4,0', 'y']]],
      ['tab', 'a\tb\n"x\ty"\t2\n', [['a', 'b'], ['x\ty', '2']]],
      ['pipe', 'a|b|c\n1|2|3\n', [['a', 'b', 'c'], ['1', '2', '3']]],
      ['comma with quoted semicolons', 'a,b\n"1;2;3",4\n"5;6;7",8\n', [['a', 'b'], ['1;2;3', '4'], ['5;6;7', '8']]],
      ['single column', 'value\n1\n2\n', [['value'], ['1'], ['2']]],
    ];
    for (const [name, text, want] of cases) {
      it(name, async () => {
        const { records, error } = await collect(tmp.file('d.csv', text), { chunkBytes: 2 });
        assert.equal(error, undefined);
        assert.deepEqual(records, want);
      });
    }

    it('prefers the delimiter with a consistent count over a more frequent one', () => {
      // Commas vary per line (free text); tabs are 2 on every line.
      const sample = Buffer.from('a\tb\tc\nx, y\t1\t2\nz\t3\t4\nu, v, w\t5\t6\n');
      assert.equal(sniffDelimiter(sample, true), 0x09);
    });

    it('a declared delimiter wins over sniffing', async () => {
      const { records } = await collect(tmp.file('decl.csv', 'a;b,c\n1;2,3\n'), { delimiter: ',' });
      assert.deepEqual(records, [['a;b', 'c'], ['1;2', '3']]);
    });

    it('.tsv files default to tab', async () => {
      const { records } = await collect(tmp.file('t.tsv', 'a,b\tc\n1,2\t3\n'));
      assert.deepEqual(records, [['a,b', 'c'], ['1,2', '3']]);
    });
  });

  describe('rows, lines and errors', () => {
    it('skips blank lines; errors give the row and, when it differs, the line', async () => {
      const path = tmp.file('blank.csv', 'a,b\n\n1,2\n"x\ny",3\n4,5,6\n');
      const { records, error } = await collect(path, { file: 'data/t.csv' });
      assert.deepEqual(records, [['a', 'b'], ['1', '2'], ['x\ny', '3']]);
      assert.equal(error?.message, 'data/t.csv: row 4 has 3 fields, header has 2 (line 6)');
      assert.equal(error?.line, 6);
      assert.ok(error instanceof DataError);
    });

    it('a trailing delimiter at EOF is one more empty field', async () => {
      const { records } = await collect(tmp.file('trail.csv', 'a,b\n1,'));
      assert.deepEqual(records, [['a', 'b'], ['1', '']]);
    });

    it('an empty file is an error', async () => {
      const { error } = await collect(tmp.file('empty.csv', ''), { file: 'e.csv' });
      assert.equal(error?.message, 'e.csv: empty file: no header row');
      const blank = await collect(tmp.file('blank-only.csv', '\n\r\n\n'));
      assert.equal(blank.error?.code, 'empty-file');
    });

    it('a row longer than the bound is an error, whatever the chunk size', async () => {
      const path = tmp.file('long.csv', `a\n${'x'.repeat(5000)}\n`);
      for (const chunkBytes of [7, 1024, 65536]) {
        const { records, error } = await collect(path, { maxRowBytes: 4096, chunkBytes });
        assert.deepEqual(records, [['a']]);
        assert.equal(error?.code, 'row-too-long');
        assert.match(error?.message ?? '', /row 2 is longer than 4 KiB/);
      }
    });

    it('an unbalanced quote in a huge file stops at the bound and says so', async () => {
      const path = tmp.file('open.csv', `a,b\n1,"oops\n${'2,3\n'.repeat(3000)}`);
      const { error } = await collect(path, { maxRowBytes: 4096, chunkBytes: 1000 });
      assert.equal(error?.code, 'row-too-long');
      assert.match(error?.message ?? '', /quoted field opened at line 2, column 3 is still open/);
    });

    it('64 MiB is the default bound (message names it)', () => {
      const sink: FieldSink = { field() {}, endRecord() {} };
      const t = new CsvTokenizer(sink, { file: 'big.csv' });
      const chunk = Buffer.alloc(1024 * 1024, 0x78); // 'x', no line end
      assert.throws(() => {
        for (let i = 0; i < 70; i++) t.push(chunk);
      }, /big\.csv: row 1 is longer than 64 MiB/);
    });

    it('rejects an unsupported delimiter', () => {
      const sink: FieldSink = { field() {}, endRecord() {} };
      assert.throws(() => new CsvTokenizer(sink, { delimiter: ':' as ',' }), /delimiter must be one of/);
    });
  });
});
