/**
 * What to do about an engine that did not answer, by where it is: "start
 * Docker" helps with the local socket, not with an ssh:// engine whose host
 * key or login was refused, nor with a tcp:// address nobody listens on.
 * `editor`: the words for VS Code, whose notification offers host
 * processes as buttons (the CLI names `--executor local` instead).
 */
export function unreachableAdvice(host: string, editor = false): string {
  const setting = editor ? 'point mlci.dockerHost at a running engine' : 'set DOCKER_HOST (or --engine) to a running engine';
  const end = editor ? '.' : '; or run with --executor local.';
  if (host.startsWith('ssh://')) {
    return (
      `Check that \`${sshCommand(host)} docker info\` works from this machine without a prompt (its host key in known_hosts or MLCI_SSH_KNOWN_HOSTS, ` +
      `a key the server accepts in MLCI_SSH_KEY or the SSH agent, a user allowed to use Docker there) and that Docker runs on that host${end}`
    );
  }
  if (/^(tcp|https?):\/\//.test(host)) {
    return `Check that an engine listens at that address (host, port, firewall; TLS settings for port 2376), or ${setting}${end}`;
  }
  return `Start Docker (e.g. \`sudo systemctl start docker\`) or ${setting}${end}`;
}

/** `ssh [-p PORT] [user@]host` for an ssh:// engine address (a trailing " (engine 'x')" is ignored). */
function sshCommand(host: string): string {
  try {
    const u = new URL(host.split(' ')[0]!);
    const who = u.username ? `${decodeURIComponent(u.username)}@${u.hostname}` : u.hostname;
    return u.port ? `ssh -p ${u.port} ${who}` : `ssh ${who}`;
  } catch {
    return `ssh ${host.slice('ssh://'.length)}`;
  }
}
