import type { HostVerifier, ServerHostKeyAlgorithm } from 'ssh2';
import type { ResolvedSshHost } from '../inventory/inventory';
import type { KnownHostsEntry } from '../inventory/known-hosts';
import { knownHostsAppend, knownHostsFor, knownHostsRead, knownHostsVerify } from '../inventory/known-hosts';
import { sshKeyBlobType, sshKeyFingerprint } from '../inventory/ssh-key-blob';

export interface HostKeyPolicy {
  /** packetlens' own known_hosts: read besides the host's knownHosts, and where --accept-new writes. */
  ownKnownHosts: string | null;
  /** Record keys of hosts seen for the first time instead of refusing them. */
  acceptNew: boolean;
}

export interface HostKeyCheck {
  verifier: HostVerifier;
  /** Host key algorithms with the types already recorded for this host first, as OpenSSH orders them. */
  serverHostKey: ServerHostKeyAlgorithm[];
  /** Why the offered key was refused, once the verifier has refused it. */
  refusal: () => string | null;
}

const defaultOrder: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

// An RSA key is recorded as ssh-rsa and signs with any of these.
const algorithmsOfKeyType: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** Verifies a hop's host key against the known_hosts files, recording it first when allowed. */
export async function hostKeyCheck(hop: ResolvedSshHost, policy: HostKeyPolicy): Promise<HostKeyCheck> {
  const files = [...new Set([hop.knownHosts, ...(policy.ownKnownHosts ? [policy.ownKnownHosts] : [])])];
  const { entries } = await knownHostsRead(files);
  const matching = knownHostsFor(entries, hop.address, hop.port);
  const recorded = matching.filter((e) => e.marker === null);
  let refused: string | null = null;

  const verifier: HostVerifier = (key, verify) => {
    const keyType = sshKeyBlobType(key) ?? 'unknown';
    const offered = `${keyType} ${sshKeyFingerprint(key)}`;
    const verdict = knownHostsVerify(entries, hop.address, hop.port, keyType, key);
    if (verdict === 'ok') return verify(true);
    if (verdict === 'unknown' && policy.acceptNew && policy.ownKnownHosts) {
      const own = policy.ownKnownHosts;
      knownHostsAppend(own, hop.address, hop.port, key).then(
        () => verify(true),
        (e: Error) => {
          refused = `host key ${offered} could not be recorded in ${own}: ${e.message}`;
          verify(false);
        },
      );
      return;
    }
    refused = refusalText(verdict, { offered, key, files, own: policy.ownKnownHosts, matching });
    verify(false);
  };

  const first = [...new Set(recorded.flatMap((e) => algorithmsOfKeyType[e.keyType] ?? [e.keyType]))].filter(
    (a): a is ServerHostKeyAlgorithm => (defaultOrder as string[]).includes(a),
  );
  return {
    verifier,
    serverHostKey: [...first, ...defaultOrder.filter((a) => !first.includes(a))],
    refusal: () => refused,
  };
}

interface RefusalFacts {
  /** `ssh-ed25519 SHA256:…` */
  offered: string;
  key: Buffer;
  files: readonly string[];
  own: string | null;
  /** The known_hosts entries for this host and port, of any marker. */
  matching: readonly KnownHostsEntry[];
}

function refusalText(verdict: 'unknown' | 'changed' | 'revoked', facts: RefusalFacts): string {
  const { offered, key, files, own, matching } = facts;
  if (verdict === 'unknown') {
    const how = own
      ? `if it is the right key, run again with --accept-new to record it in ${own}`
      : 'add it to known_hosts if it is the right key';
    return `host key ${offered} is not in ${files.join(' or ')}: ${how}`;
  }
  if (verdict === 'revoked') {
    const line = matching.find((e) => e.marker === 'revoked' && e.key.equals(key));
    return `host key ${offered} is marked @revoked${line ? ` in ${line.file}:${line.line}` : ''}; refusing to connect`;
  }
  const was = matching
    .filter((e) => e.marker === null)
    .map((e) => `${e.keyType} ${sshKeyFingerprint(e.key)} (${e.file}:${e.line})`)
    .join(', ');
  return (
    `HOST KEY CHANGED: the host offered ${offered} but known_hosts records ${was}. ` +
    'Someone may be intercepting the connection (man in the middle), or the host was reinstalled; ' +
    'refusing to connect. If the change is expected, remove the old line and run again with --accept-new'
  );
}
