import type { Section } from '../commands/parse-sections';
import { SectionsError } from '../commands/parse-sections';
import { collectScript } from '../commands/collect-script';
import { deniedSections } from '../commands/permission';
import { snapshotFromOutput } from '../commands/sections-snapshot';
import type { ResolvedHost } from '../inventory/inventory';
import type { RawOutputs, HostFailure } from '../store/store';
import { localTransport } from '../transport/local';
import { sshConnect } from '../transport/ssh';
import { TransportError } from '../transport/transport';
import type { Snapshot } from '../../lib/model/snapshot';

export interface CollectHostOptions {
  /** packetlens' own known_hosts, where `--accept-new` records first-seen keys. */
  ownKnownHosts: string | null;
  acceptNew: boolean;
}

export interface CollectedHost {
  snapshot: Snapshot;
  raw: RawOutputs;
}

/**
 * The command line the script is fed to: `timeout` ends it on the host itself, since OpenSSH does
 * not deliver signals to root sessions and a hung command would otherwise keep running there.
 */
function hostCommand(timeoutMs: number): string {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return `if command -v timeout >/dev/null 2>&1; then exec timeout -k 5 ${seconds} sh -s; else exec sh -s; fi`;
}

/** Collects one host in one exec: connect, run the allow-listed script, parse what came back. */
export async function collectHost(host: ResolvedHost, opts: CollectHostOptions): Promise<CollectedHost> {
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
    const collected = snapshotFromOutput(result.stdout, {
      host: host.name,
      collectedAt,
      labels: host.labels,
    });
    const denied = deniedSections(collected.sections);
    if (denied.length > 0) {
      const names = denied.map((s) => s.name).join(', ');
      throw new TransportError(
        'permission',
        host.name,
        `permission denied for ${names}: collect as root or set sudo: true`,
      );
    }
    collected.snapshot.host.kind = 'host';
    return { snapshot: collected.snapshot, raw: rawOutputs(collected.sections) };
  } finally {
    await execer.close();
  }
}

function rawOutputs(sections: readonly Section[]): RawOutputs {
  const raw: RawOutputs = {};
  for (const s of sections) {
    raw[`${s.id}:${s.name}`] = {
      stdout: s.stdout,
      stderr: s.stderr,
      exitCode: s.exitCode,
      missing: s.missing,
    };
  }
  return raw;
}

/** The store's failure record for whatever collecting a host threw. */
export function failureOf(error: unknown): HostFailure {
  if (error instanceof TransportError) return { kind: error.kind, message: error.message };
  if (error instanceof SectionsError) return { kind: error.kind, message: error.message };
  return { kind: 'exit', message: error instanceof Error ? error.message : String(error) };
}

/** Failures that may pass on a second try; refusals (auth, host key, permission) do not. */
export function failureRetryable(error: unknown): boolean {
  const kind = failureOf(error).kind;
  return kind === 'unreachable' || kind === 'timeout' || kind === 'truncated';
}
