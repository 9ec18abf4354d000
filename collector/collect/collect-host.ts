import { collectScript } from '../commands/collect-script';
import type { ResolvedHost } from '../inventory/inventory';
import { localTransport } from '../transport/local';
import { sshConnect } from '../transport/ssh';
import { TransportError } from '../transport/transport';

export interface CollectHostOptions {
  /** packetlens' own known_hosts, where `--accept-new` records first-seen keys. */
  ownKnownHosts: string | null;
  acceptNew: boolean;
}

/** What a host sent back, before any parsing. */
export interface HostOutput {
  host: string;
  /** ISO 8601 time the collection started. */
  collectedAt: string;
  labels: Record<string, string>;
  /** The collect script's stdout as it came (gzip when the host has it). */
  stdout: Uint8Array;
}

/**
 * The command line the script is fed to: `timeout` ends it on the host itself, since OpenSSH does
 * not deliver signals to root sessions and a hung command would otherwise keep running there.
 */
function hostCommand(timeoutMs: number): string {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return `if command -v timeout >/dev/null 2>&1; then exec timeout -k 5 ${seconds} sh -s; else exec sh -s; fi`;
}

/** Fetches one host in one exec: connect, run the allow-listed script, keep what it printed. */
export async function hostFetch(host: ResolvedHost, opts: CollectHostOptions): Promise<HostOutput> {
  const collectedAt = new Date().toISOString();
  const execer = host.local
    ? localTransport(host.name)
    : await sshConnect(host, { ownKnownHosts: opts.ownKnownHosts, acceptNew: opts.acceptNew });
  try {
    const script = collectScript({ sudo: host.sudo });
    const result = await execer.exec(hostCommand(host.commandTimeoutMs), {
      timeoutMs: host.commandTimeoutMs,
      stdin: Buffer.from(script),
    });
    if (result.code === 124 || result.code === 137) {
      throw new TransportError(
        'timeout',
        host.name,
        `the collection did not finish within ${host.commandTimeoutMs} ms`,
      );
    }
    return { host: host.name, collectedAt, labels: host.labels, stdout: result.stdout };
  } finally {
    await execer.close();
  }
}
