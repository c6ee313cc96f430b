/**
 * The transport to an `ssh://user@host[:port]` Docker engine: one SSH
 * connection (ssh2, pure JavaScript), and each HTTP connection to the engine
 * a channel running `docker system dial-stdio` on the server (what the docker
 * CLI does for ssh:// hosts; it reaches the server's engine through its
 * DOCKER_HOST or default socket).
 *
 * docker-modem's own ssh transport opens a new SSH connection (with a login
 * shell on the server) for every API call and trusts any host key. Here the
 * login (key, agent, host key against known_hosts) is ssh-login.ts's, and
 * the channels are kept alive between calls by an http.Agent: a stage costs
 * one SSH handshake and a few server shells (one per concurrent call), not
 * one per call. The connection is closed after a few idle seconds and
 * does not keep the process alive while idle.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { Client } from 'ssh2';
import type { SshLogin } from '../ssh/ssh-login';
import { sshLogin } from '../ssh/ssh-login';

export interface SshEngineTarget {
  user: string;
  host: string;
  port: number;
}

/** An engine address `ssh://[user@]host[:port]` as a login target (user: the URL's, else this user's name). */
export function sshEngineTarget(host: string, defaultUser: string): SshEngineTarget {
  const url = new URL(host);
  if (url.password) throw new Error(`put no password in the engine address ${url.protocol}//${url.host}; use a key (the engine's identity, MLCI_SSH_KEY) or the SSH agent`);
  return { user: decodeURIComponent(url.username) || defaultUser, host: url.hostname, port: url.port ? Number(url.port) : 22 };
}

/** How long an unused SSH connection stays open. */
const IDLE_MS = 5000;

type Socketish = ClientChannel & {
  setKeepAlive?: () => unknown;
  setNoDelay?: () => unknown;
  setTimeout?: (ms: number, cb?: () => void) => unknown;
  ref?: () => unknown;
  unref?: () => unknown;
};

export class SshEngineAgent extends http.Agent {
  private client: Promise<Client> | undefined;
  private busy = 0;
  /** The connected client `client` resolved to. */
  private live: Client | undefined;
  private readonly state = new WeakMap<object, 'busy' | 'free' | 'closed'>();
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly login: SshLogin;

  /** Throws when the key file cannot be read. */
  constructor(target: SshEngineTarget, opts: { keyFile?: string; env?: NodeJS.ProcessEnv } = {}) {
    super({ keepAlive: true, maxFreeSockets: 4 });
    this.login = sshLogin(target, opts);
  }

  /** The SSH connection, opened on first use and again after it closed. */
  private connect(): Promise<Client> {
    this.client ??= (async () => {
      const client = new Client();
      await new Promise<void>((resolve, reject) => {
        client.once('ready', () => resolve());
        client.once('error', (e: Error & { level?: string; code?: string }) => {
          reject(new Error(this.login.failure(e, 'give the engine an `identity` (a key file the server accepts) or set MLCI_SSH_KEY')));
        });
        client.connect({ ...this.login.config, keepaliveInterval: 10_000, keepaliveCountMax: 3 });
      });
      client.on('error', () => undefined); // later errors close the channels in use, which fail their calls
      client.once('close', () => this.forget(client));
      this.live = client;
      this.refresh(client);
      return client;
    })();
    const made = this.client;
    made.catch(() => {
      if (this.client === made) this.client = undefined;
    });
    return made;
  }

  /** Holds the process while a call is in flight; closes the connection once idle. */
  private refresh(client: Client): void {
    const sock = (client as unknown as { _sock?: { ref?: () => void; unref?: () => void } })._sock;
    clearTimeout(this.idleTimer);
    if (this.busy > 0) {
      sock?.ref?.();
      return;
    }
    sock?.unref?.();
    this.idleTimer = setTimeout(() => {
      // A call from now on opens a new connection rather than use this closing one.
      this.forget(client);
      client.end();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  /** The next call connects anew, if `client` is still the current connection. */
  private forget(client: Client): void {
    if (this.live !== client) return;
    this.live = undefined;
    this.client = undefined;
  }

  private settle(delta: number): void {
    this.busy = Math.max(0, this.busy + delta);
    void this.client?.then((c) => this.refresh(c), () => undefined);
  }

  override createConnection(_options: unknown, done: (err: Error | null, socket?: Duplex) => void): undefined {
    this.busy++;
    this.connect().then(
      (client) => {
        this.refresh(client);
        client.exec('docker system dial-stdio', (err, ch) => {
          if (err) {
            this.settle(-1);
            done(new Error(`the server did not start \`docker system dial-stdio\` (${err.message})`));
            return;
          }
          const s = ch as Socketish;
          // What http.Agent and ClientRequest may call on a net.Socket.
          s.setKeepAlive = () => s;
          s.setNoDelay = () => s;
          s.setTimeout = () => s;
          s.ref = () => s;
          s.unref = () => s;
          this.state.set(s, 'busy');
          let stderr = '';
          ch.stderr.on('data', (d: Buffer) => {
            if (stderr.length < 2000) stderr += d.toString();
          });
          // dial-stdio failing (no docker CLI there, its engine down) says why on stderr: that is the call's error.
          ch.once('exit', (code: number | null) => {
            const why = stderr.trim().split('\n').slice(-3).join(' ');
            if (code !== 0 && !s.destroyed) {
              // ssh2's channel.destroy() takes no error: the call in flight sees this one, then the close.
              if (s.listenerCount('error') > 0) s.emit('error', new Error(`\`docker system dial-stdio\` on the server exited with ${code ?? 'a signal'}${why ? `: ${why}` : ''}`));
              s.destroy();
            }
          });
          ch.once('close', () => {
            if (this.state.get(s) === 'busy') this.settle(-1);
            this.state.set(s, 'closed');
          });
          done(null, s);
        });
      },
      (err: Error) => {
        this.settle(-1);
        done(err);
      },
    );
    return undefined;
  }

  override keepSocketAlive(socket: Duplex): boolean {
    if (this.state.get(socket) === 'busy') {
      this.state.set(socket, 'free');
      this.settle(-1);
    }
    return !socket.destroyed;
  }

  override reuseSocket(socket: Duplex, req: http.ClientRequest): void {
    if (this.state.get(socket) === 'free') {
      this.state.set(socket, 'busy');
      this.settle(+1);
    }
    super.reuseSocket(socket as never, req);
  }

  /** Closes the SSH connection now (the channels with it). */
  override destroy(): void {
    super.destroy();
    void this.client?.then((c) => c.end(), () => undefined);
  }
}
