/**
 * The reliability suite's figures: every probe (one hostile input, one kill,
 * one frozen engine...) is counted as tried, then as survived or lost, and a
 * lost probe by how it was lost. After the whole mocha run one line sums
 * them up, the same in `npm test` and `npm run soak`:
 *
 *   reliability: tried 4120, survived 4120, lost 0 (crashes 0, hangs 0, leaks 0, corrupted records 0, other 0)
 *
 * A test still asserts what it checks; the figures say how much was tried.
 * `expectSurvived` fails the test on any loss, naming the probes lost.
 */
export type Loss = 'crash' | 'hang' | 'leak' | 'corrupt' | 'other';

interface Lost {
  probe: string;
  how: Loss;
  detail: string;
}

class Figures {
  tried = 0;
  survived = 0;
  readonly lost: Lost[] = [];
  private printed = false;

  /** One probe that behaved. */
  ok(count = 1): void {
    this.tried += count;
    this.survived += count;
  }

  /** One probe that did not; `detail` says what happened. */
  loss(probe: string, how: Loss, detail: string): Lost {
    this.tried++;
    const l = { probe, how, detail };
    this.lost.push(l);
    return l;
  }

  count(how: Loss): number {
    return this.lost.filter((l) => l.how === how).length;
  }

  line(): string {
    return `reliability: tried ${this.tried}, survived ${this.survived}, lost ${this.lost.length} ` +
      `(crashes ${this.count('crash')}, hangs ${this.count('hang')}, leaks ${this.count('leak')}, corrupted records ${this.count('corrupt')}, other ${this.count('other')})`;
  }

  print(): void {
    if (this.printed || this.tried === 0) return;
    this.printed = true;
    process.stdout.write(`\n${this.line()}\n`);
    for (const l of this.lost.slice(0, 20)) process.stdout.write(`  lost: ${l.probe}: ${l.how}: ${l.detail}\n`);
    if (this.lost.length > 20) process.stdout.write(`  and ${this.lost.length - 20} more\n`);
  }
}

export const figures = new Figures();

/**
 * Runs one probe: `check` returns undefined when the probe survived, or the
 * loss. Thrown errors count as crashes of the probe's harness... and of the
 * test: they are rethrown after being counted.
 */
export async function probe(name: string, check: () => Promise<{ how: Loss; detail: string } | undefined> | { how: Loss; detail: string } | undefined): Promise<void> {
  let result;
  try {
    result = await check();
  } catch (e) {
    // A failed assertion is a probe that misbehaved; anything else broke the harness or the code under test.
    figures.loss(name, (e as Error).name === 'AssertionError' ? 'other' : 'crash', (e as Error).message.split('\n')[0]!);
    throw e;
  }
  if (result) {
    figures.loss(name, result.how, result.detail);
    throw new Error(`${name}: ${result.how}: ${result.detail}`);
  }
  figures.ok();
}

/** How many of something: the bounded count under `npm test`, the soak count under `npm run soak` (MLCI_SOAK=1). */
export function scale(bounded: number, soak: number): number {
  return process.env.MLCI_SOAK === '1' ? soak : bounded;
}

// Registered on mocha's root suite when a test file first imports this
// module (during file loading): the line is printed once, after every test.
if (typeof after === 'function') after(() => figures.print());
