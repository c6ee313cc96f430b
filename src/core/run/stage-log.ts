/**
 * A stage's output on its way out of the engine: masked line by line (per
 * stream, so a secret split across chunks is still whole when masked), then
 * written to the stage log and passed on as stage-log events (the terminal,
 * the VS Code output channel). The log file is capped: a stage that prints
 * without end must not fill the disk or make every later read of its log
 * slow; the cut is marked in the log with how much was dropped.
 */
import { LineMasker } from './mask';
import type { SecretMasker } from './mask';

/** Bytes of a stage's output kept in its log file (documented in README, Security). */
export const MAX_STAGE_LOG_BYTES = 10 * 1024 * 1024;

type Stream = 'stdout' | 'stderr';

export interface LogFile {
  write(chunk: string): void;
  close(): Promise<void> | void;
}

export class StageLog {
  private readonly maskers: Record<Stream, LineMasker>;
  private written = 0;
  private dropped = 0;

  constructor(private readonly file: LogFile, masker: SecretMasker, private readonly onText: (stream: Stream, text: string) => void, private readonly maxBytes = MAX_STAGE_LOG_BYTES) {
    this.maskers = { stdout: new LineMasker(masker), stderr: new LineMasker(masker) };
  }

  write(stream: Stream, chunk: string): void {
    this.release(stream, this.maskers[stream].push(chunk));
  }

  async close(): Promise<void> {
    for (const stream of ['stdout', 'stderr'] as const) this.release(stream, this.maskers[stream].flush());
    if (this.dropped > 0) {
      this.file.write(`\n[mlci: log truncated: the stage printed more than ${this.maxBytes} bytes; ${this.dropped} more bytes were not kept]\n`);
    }
    await this.file.close();
  }

  private release(stream: Stream, text: string): void {
    if (!text) return;
    const bytes = Buffer.byteLength(text);
    if (this.written + bytes <= this.maxBytes) {
      this.file.write(text);
      this.written += bytes;
    } else {
      const room = this.maxBytes - this.written;
      if (room > 0) {
        const kept = Buffer.from(text).subarray(0, room).toString('utf8').replace(/\uFFFD$/, '');
        this.file.write(kept);
        this.written = this.maxBytes;
        this.dropped += bytes - Buffer.byteLength(kept);
      } else {
        this.dropped += bytes;
      }
    }
    this.onText(stream, text);
  }
}
