import type { ResolvedHost, ResolvedSshHost } from '../inventory/inventory';
import { passphraseEnvVar } from '../transport/ssh-auth';

/**
 * Collector messages can name the identity file, known_hosts files or the ssh-agent socket
 * (`auth failed with key /root/.ssh/id_ed25519`). The dashboard shows failures to whoever opens it,
 * so those values are replaced before a message leaves the server or reaches its log.
 */
export type Redact = (message: string) => string;

// Key-like paths the current inventory does not name (a store filled by another inventory).
const keyPath =
  /(?:~|\/)[^\s:'"]*(?:\/\.ssh\/[^\s:'"]*|\/id_(?:rsa|dsa|ecdsa|ed25519)[^\s:'"]*|\.(?:pem|key))\b/g;

function hops(host: ResolvedHost): ResolvedSshHost[] {
  const out: ResolvedSshHost[] = [];
  for (let h: ResolvedSshHost | null = host.local ? null : host; h; h = h.jump) out.push(h);
  return out;
}

export function redactor(
  hosts: readonly ResolvedHost[],
  extra: { ownKnownHosts?: string | null; env?: Readonly<Record<string, string | undefined>> } = {},
): Redact {
  const env = extra.env ?? process.env;
  const secrets = new Map<string, string>();
  for (const hop of hosts.flatMap(hops)) {
    if (hop.identityFile) secrets.set(hop.identityFile, '[identity file]');
    secrets.set(hop.knownHosts, '[known_hosts]');
  }
  if (extra.ownKnownHosts) secrets.set(extra.ownKnownHosts, '[known_hosts]');
  if (env.SSH_AUTH_SOCK) secrets.set(env.SSH_AUTH_SOCK, '[ssh-agent socket]');
  const passphrase = env[passphraseEnvVar];
  if (passphrase) secrets.set(passphrase, '[passphrase]');
  const token = env.PACKETLENS_ACCESS_TOKEN;
  if (token) secrets.set(token, '[access token]');
  // Longest first, so a path is not half replaced by a shorter one inside it.
  const ordered = [...secrets].filter(([s]) => s.length > 0).sort((a, b) => b[0].length - a[0].length);
  return (message) => {
    let out = message;
    for (const [secret, label] of ordered) out = out.split(secret).join(label);
    return out.replace(keyPath, '[key path]');
  };
}
