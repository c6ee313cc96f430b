/**
 * Secret masking: every form of a secret (plain, base64 at each alignment,
 * URL-encoded) is masked; a secret split across output chunks is still
 * masked; long lines are released without holding a secret back unmasked.
 */
import { strict as assert } from 'node:assert';
import { LineMasker, SecretMasker } from '../../../src/core/run/mask';
import { sanitizeValue } from '../../../src/core/run/record-safety';
import { StageLog } from '../../../src/core/run/stage-log';
import { pickParams } from '../../../src/core/params';

const SECRET = 'hunter2-S3cr3t/value+x y';

describe('secret masking', () => {
  const masker = new SecretMasker([SECRET]);

  it('masks the plain value', () => {
    assert.equal(masker.mask(`token is ${SECRET}.`), 'token is ***.');
  });

  it('masks base64 of the value, alone and inside a longer encoded string at every alignment', () => {
    assert.ok(!masker.mask(Buffer.from(SECRET).toString('base64')).includes(Buffer.from(SECRET).toString('base64').slice(4, 20)));
    for (const prefix of ['', 'a', 'ab', 'abc', 'user:', 'Authorization: Basic ']) {
      const enc = Buffer.from(`${prefix}${SECRET}!trailing`).toString('base64');
      const masked = masker.mask(enc);
      assert.ok(masked.includes('***'), `base64 with prefix '${prefix}' not masked: ${masked}`);
      // Decoding what is left must not give back the secret or most of it.
      assert.ok(!Buffer.from(masked.replace(/\*\*\*/g, ''), 'base64').toString('latin1').includes(SECRET.slice(2, 18)));
    }
    const urlSafe = Buffer.from(SECRET).toString('base64url');
    assert.equal(masker.mask(urlSafe), '***');
  });

  it('masks URL-encoded forms', () => {
    assert.equal(masker.mask(`https://x/?t=${encodeURIComponent(SECRET)}&a=1`), 'https://x/?t=***&a=1');
    assert.equal(masker.mask(encodeURIComponent(SECRET).replace(/%20/g, '+')), '***');
    assert.equal(masker.mask(encodeURIComponent(SECRET).toLowerCase().replace(/hunter2-s3cr3t/, 'hunter2-S3cr3t')), '***');
  });

  it('leaves values shorter than 4 characters alone (masking them would mangle every line)', () => {
    assert.equal(new SecretMasker(['abc']).mask('abcabc'), 'abcabc');
  });

  it('masks a secret split across chunks, holding back only the unfinished line', () => {
    const lm = new LineMasker(masker);
    let out = '';
    out += lm.push(`first line\nthe secret ${SECRET.slice(0, 5)}`);
    assert.equal(out, 'first line\n');
    out += lm.push(`${SECRET.slice(5)} ends\nnext`);
    out += lm.flush();
    assert.equal(out, 'first line\nthe secret *** ends\nnext');
  });

  it('releases a line longer than the hold limit without leaking a secret split at the release point', () => {
    const lm = new LineMasker(masker, 100);
    let out = '';
    const filler = 'x'.repeat(150);
    for (let cut = 1; cut < SECRET.length; cut++) {
      out += lm.push(filler + SECRET.slice(0, cut));
      out += lm.push(SECRET.slice(cut));
    }
    out += lm.flush();
    assert.ok(!out.includes(SECRET.slice(0, 8)), 'a part of the secret leaked');
    assert.equal(out.split('***').length - 1, SECRET.length - 1);
  });

  it('masks and bounds every string and key of a record, in place', () => {
    const record = { reason: `failed: ${SECRET}`, metrics: { [`acc_${SECRET}`]: 1, ok: 2 }, reports: { d: [{ value: 'v'.repeat(10_000) }] } };
    sanitizeValue(record, masker);
    assert.deepEqual(Object.keys(record.metrics), ['ok', 'acc_***']);
    assert.equal(record.reason, 'failed: ***');
    assert.ok(!JSON.stringify(record).includes(SECRET));
    assert.ok(record.reports.d[0].value.length < 4100);
    assert.match(record.reports.d[0].value, /… \(6000 more characters\)$/);
  });

  it('stage logs: masked text to the file and the events, capped with a note', async () => {
    let file = '';
    const events: string[] = [];
    const log = new StageLog({ write: (t) => (file += t), close: () => undefined }, masker, (_s, t) => events.push(t), 1000);
    log.write('stdout', `a ${SECRET.slice(0, 3)}`);
    log.write('stderr', 'err line\n');
    log.write('stdout', `${SECRET.slice(3)} b\n`);
    for (let i = 0; i < 50; i++) log.write('stdout', 'y'.repeat(99) + '\n');
    await log.close();
    assert.ok(!file.includes(SECRET) && !events.join('').includes(SECRET));
    assert.ok(events.join('').includes('a *** b\n'));
    assert.match(file, /\[mlci: log truncated: the stage printed more than 1000 bytes; \d+ more bytes were not kept\]\n$/);
    assert.ok(Buffer.byteLength(file) < 1200);
  });
});

describe('params in run records', () => {
  it('keeps only the keys stages read, nested as in the file', () => {
    const values = { model: { lr: 0.1, depth: 3 }, 'a.b': 1, token: 'do-not-record', big: { rows: [1, 2, 3] } };
    assert.deepEqual(pickParams(values, ['model.lr', 'a.b', 'missing']), { model: { lr: 0.1 }, 'a.b': 1 });
    assert.deepEqual(pickParams(values, ['model', 'model.lr']), { model: { lr: 0.1, depth: 3 } });
  });
});
