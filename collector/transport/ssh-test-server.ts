import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import type { Connection, ServerChannel } from 'ssh2';
// ssh2 is CommonJS: Node's ESM loader (the CLI runs through tsx) sees only its default export.
import ssh2 from 'ssh2';

const { Server, utils } = ssh2;

/**
 * A real SSH server for tests, in process, on 127.0.0.1 and a random port: ssh2's server side of
 * the protocol, running exec requests with bash like sshd does (signal requests included), and
 * `direct-tcpip` channels for jumps.
 */

export interface TestSshServerOptions {
  /** Private host key (OpenSSH format, as ssh-keygen writes it). */
  hostKey: Buffer;
  /** Public keys (`.pub` file contents) allowed to log in. */
  authorizedKeys: readonly string[];
  user: string;
  /** Set in the environment of the commands, to tell which server ran them. */
  name: string;
}

export interface TestSshServer {
  port: number;
  /** Destinations of the `direct-tcpip` channels opened through this server. */
  tunnels: string[];
  /** Signal requests received, by name (`KILL`). */
  signals: string[];
  /** Drops every client connection at once, as a crashing host would. */
  dropAll: () => void;
  close: () => Promise<void>;
}

export async function testSshServerStart(options: TestSshServerOptions): Promise<TestSshServer> {
  const allowed = options.authorizedKeys.map((text) => {
    const key = utils.parseKey(text);
    if (key instanceof Error) throw key;
    return key;
  });
  const tunnels: string[] = [];
  const signals: string[] = [];
  const connections = new Set<Connection>();
  const children = new Map<ChildProcess, number>(); // command -> its channel's id on this side
  // ssh2's server drops requests on a channel once its command runs, signals included; its protocol
  // debug log still shows them, so they are read from there. Channel ids are per connection: a signal
  // reaches every command on that id, which is exact while tests run one command per server at a time.
  const debug = (line: string) => {
    const signal = /Inbound: CHANNEL_REQUEST \(r:(\d+), signal: (\w+)\)/.exec(line);
    if (!signal) return;
    signals.push(signal[2]!);
    for (const [child, id] of children)
      if (id === Number(signal[1]) && child.pid) groupKill(child.pid, `SIG${signal[2]}`);
  };
  const server = new Server({ hostKeys: [options.hostKey], debug }, (client) => {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('error', () => {}); // a client that goes away mid-handshake
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || ctx.username !== options.user) return ctx.reject(['publickey']);
      const key = allowed.find((k) => k.getPublicSSH().equals(ctx.key.data));
      if (!key) return ctx.reject(['publickey']);
      if (!ctx.signature || !ctx.blob) return ctx.accept(); // the client asks whether the key would do
      return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? ctx.accept() : ctx.reject(['publickey']);
    });
    client.on('session', (accept) => {
      const session = accept();
      session.on('exec', (acceptExec, _reject, info) => {
        const channel = acceptExec();
        const child = commandRun(info.command, channel, options.name, () => children.delete(child));
        children.set(child, (channel.incoming as { id: number }).id);
      });
    });
    client.on('tcpip', (acceptTunnel, rejectTunnel, info) => {
      tunnels.push(`${info.destIP}:${info.destPort}`);
      const socket: Socket = connect(info.destPort, info.destIP);
      socket.once('error', () => rejectTunnel());
      socket.once('connect', () => {
        const channel = acceptTunnel();
        channel.pipe(socket).pipe(channel);
        channel.on('close', () => socket.destroy());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    tunnels,
    signals,
    dropAll: () => connections.forEach((c) => c.end()),
    close: async () => {
      for (const child of children.keys()) if (child.pid) groupKill(child.pid, 'SIGKILL');
      connections.forEach((c) => c.end());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs one exec request with bash and reports its end on the channel, as sshd does. */
function commandRun(command: string, channel: ServerChannel, name: string, onEnd: () => void) {
  const child = spawn('bash', ['-c', command], {
    detached: true,
    env: { ...process.env, PACKETLENS_TEST_SERVER: name },
  });
  channel.pipe(child.stdin).on('error', () => {});
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  child.on('close', (code, signal) => {
    onEnd();
    if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
    else channel.exit(code ?? 255);
    channel.end();
  });
  // Like OpenSSH without a tty, a closed channel does not stop the command: only a signal request does.
  return child;
}

function groupKill(pid: number, signal: string): void {
  try {
    process.kill(-pid, signal as NodeJS.Signals);
  } catch {
    // already gone
  }
}
