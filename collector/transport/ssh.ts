import type { Readable } from 'node:stream';
import type { ClientChannel } from 'ssh2';
// ssh2 is CommonJS: Node's ESM loader (the CLI runs through tsx) sees only its default export.
import ssh2 from 'ssh2';
import type { Client as SshClient } from 'ssh2';

const { Client } = ssh2;
type Client = SshClient;
import type { ResolvedSshHost } from '../inventory/inventory';
import { sshAuth } from './ssh-auth';
import { sshConnectErrorDescribe } from './ssh-connect-error';
import { sshExec } from './ssh-exec';
import type { HostKeyPolicy } from './ssh-host-key';
import { hostKeyCheck } from './ssh-host-key';
import type { Execer } from './transport';
import { TransportError } from './transport';

export interface SshOptions extends HostKeyPolicy {
  /** How often to ask a silent server whether it is still there. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection counts as lost. */
  keepaliveCountMax?: number;
  /** Where SSH_AUTH_SOCK and PACKETLENS_SSH_PASSPHRASE are read; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** One live connection of a chain of hops: the jump hosts, then the target. */
interface Hop {
  client: Client;
  /** Why the connection ended, once it has. */
  lost: () => string | null;
  closed: () => boolean;
}

/**
 * Connects to a host over SSH, through its jump hosts first when it has any (ProxyJump: each hop is
 * a connection tunnelled through a `direct-tcpip` channel of the previous one), and verifies every
 * hop's host key. Fails with a TransportError naming the target and, when it is one, the jump host.
 */
export async function sshConnect(target: ResolvedSshHost, options: SshOptions): Promise<Execer> {
  const chain: ResolvedSshHost[] = [];
  for (let hop: ResolvedSshHost | null = target; hop; hop = hop.jump) chain.unshift(hop);
  const hops: Hop[] = [];
  try {
    for (const [i, spec] of chain.entries()) {
      const previous = hops[i - 1];
      const sock = previous ? await tunnelOpen(previous.client, chain[i - 1]!, spec, target) : undefined;
      hops.push(await hopConnect(spec, target, sock, options));
    }
  } catch (e) {
    await hopsClose(hops);
    throw e;
  }
  const last = hops[hops.length - 1]!;
  let closed = false;
  return {
    host: target.name,
    exec: (script, opts) => {
      if (closed) return Promise.reject(new TransportError('unreachable', target.name, 'connection closed'));
      return sshExec(last.client, target.name, script, opts, last.lost);
    },
    close: async () => {
      closed = true;
      await hopsClose(hops);
    },
  };
}

function hopPlace(hop: ResolvedSshHost, target: ResolvedSshHost): string {
  const address = hop.address.includes(':') ? `[${hop.address}]:${hop.port}` : `${hop.address}:${hop.port}`;
  return hop === target ? address : `jump host ${hop.name} (${address})`;
}

async function hopConnect(
  hop: ResolvedSshHost,
  target: ResolvedSshHost,
  sock: Readable | undefined,
  options: SshOptions,
): Promise<Hop> {
  const place = hopPlace(hop, target);
  const failure = (kind: TransportError['kind'], detail: string, cause?: unknown) =>
    new TransportError(kind, target.name, `${place}: ${detail}`, { cause });
  const auth = await sshAuth(hop, options.env ?? process.env);
  if (typeof auth === 'string') throw failure('auth', auth);
  const hostKey = await hostKeyCheck(hop, options).catch((e: NodeJS.ErrnoException) => {
    throw failure('host-key', `cannot read known_hosts: ${e.path ?? ''} ${e.code ?? e.message}`.trim(), e);
  });
  const { described, ...credentials } = auth;

  return new Promise((resolve, reject) => {
    const client = new Client();
    let ready = false;
    let lost: string | null = null;
    let closed = false;
    client.on('error', (e: Error) => {
      const { kind, detail } = sshConnectErrorDescribe(e, {
        readyTimeoutMs: hop.connectTimeoutMs,
        user: hop.user,
        auth: described,
      });
      lost ??= detail;
      if (ready) return; // running commands learn of it when their channels close
      const refusal = hostKey.refusal();
      reject(refusal ? failure('host-key', refusal, e) : failure(kind, detail, e));
      client.destroy();
    });
    client.on('close', () => {
      closed = true;
      lost ??= 'closed by the host';
      if (!ready) reject(failure('unreachable', 'connection closed before login'));
    });
    client.on('ready', () => {
      ready = true;
      resolve({ client, lost: () => lost, closed: () => closed });
    });
    try {
      client.connect({
        host: hop.address,
        port: hop.port,
        sock,
        username: hop.user,
        readyTimeout: hop.connectTimeoutMs,
        keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
        keepaliveCountMax: options.keepaliveCountMax ?? 3,
        hostVerifier: hostKey.verifier,
        algorithms: { serverHostKey: hostKey.serverHostKey },
        ...credentials,
      });
    } catch (e) {
      reject(failure('auth', (e as Error).message, e));
    }
  });
}

/** A `direct-tcpip` channel from the previous hop to the next one, used as the next one's socket. */
function tunnelOpen(
  via: Client,
  viaSpec: ResolvedSshHost,
  next: ResolvedSshHost,
  target: ResolvedSshHost,
): Promise<ClientChannel> {
  const place = hopPlace(next, target);
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(
        new TransportError(
          'unreachable',
          target.name,
          `${place}: ${viaSpec.name} could not connect to it within ${next.connectTimeoutMs} ms`,
        ),
      );
    }, next.connectTimeoutMs);
    via.forwardOut('127.0.0.1', 0, next.address, next.port, (err, channel) => {
      clearTimeout(timer);
      if (done) return channel?.close();
      done = true;
      if (!err) return resolve(channel);
      const detail = `${place}: ${viaSpec.name} could not connect to it: ${tunnelFailureReason(err)}`;
      reject(new TransportError('unreachable', target.name, detail, { cause: err }));
    });
  });
}

// RFC 4254 §5.1 reason codes, for servers that send no description.
const openFailureReasons: Record<number, string> = {
  1: 'administratively prohibited',
  2: 'connect failed',
  3: 'unknown channel type',
  4: 'resource shortage',
};

function tunnelFailureReason(err: Error & { reason?: unknown }): string {
  const description = err.message.replace(/^\(SSH\) Channel open failure: ?/, '');
  if (description) return description;
  return (typeof err.reason === 'number' && openFailureReasons[err.reason]) || 'channel open failed';
}

/** Ends the connections target first, waiting briefly for each to close. */
async function hopsClose(hops: readonly Hop[]): Promise<void> {
  for (const { client, closed } of [...hops].reverse()) {
    if (closed()) continue;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        client.destroy();
        resolve();
      }, 1000);
      client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      client.end();
    });
  }
}
