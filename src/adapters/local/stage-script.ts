/**
 * The `sh -c` script a stage runs, shared by the docker and local runners so
 * both stop at the same place.
 *
 * `set -e` alone is not enough for "the first non-zero exit ends the stage":
 * POSIX shells do not exit on a failing `a && b` list (or `set +e` inside a
 * command), yet such a command's status is non-zero. So every command is
 * followed by an explicit status check. Commands keep sharing one shell, so a
 * `cd` or `export` in one command is seen by the next, as in CI systems.
 */
export function stageScript(commands: readonly string[]): string {
  const lines = ['set -e'];
  for (const command of commands) {
    // The command on its own lines: a trailing comment cannot swallow the check.
    lines.push(command, '__mlci_rc=$?; [ "$__mlci_rc" -eq 0 ] || exit "$__mlci_rc"');
  }
  return `${lines.join('\n')}\n`;
}

/** A decoder that turns byte chunks into whole UTF-8 strings for a LogSink. */
export class ChunkDecoder {
  private readonly decoder = new TextDecoder('utf-8');

  write(chunk: Uint8Array): string {
    return this.decoder.decode(chunk, { stream: true });
  }

  end(): string {
    return this.decoder.decode();
  }
}
