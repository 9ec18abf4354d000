import { readFile } from 'node:fs/promises';
import type { AuthenticationType, ConnectConfig, ParsedKey } from 'ssh2';
// ssh2 is CommonJS: Node's ESM loader (the CLI runs through tsx) sees only its default export.
import ssh2 from 'ssh2';

const { utils } = ssh2;
import type { ResolvedSshHost } from '../inventory/inventory';

/** The environment variable that holds the passphrase of encrypted identity files. */
export const passphraseEnvVar = 'PACKETLENS_SSH_PASSPHRASE';

export type SshAuth = Pick<ConnectConfig, 'privateKey' | 'passphrase' | 'agent'> & {
  authHandler: AuthenticationType[];
  /** How the user is authenticated, for messages: `key /root/.ssh/id_ed25519 (ssh-ed25519)`. */
  described: string;
};

/**
 * How to log in to a hop: its identity file (ed25519, ecdsa, rsa; encrypted ones with the passphrase
 * from the environment), or ssh-agent when it has none. The key is read and decrypted before
 * connecting, so a bad file or passphrase is reported as such and not as a refused login. A string
 * return is why authentication cannot even be tried.
 */
export async function sshAuth(
  hop: ResolvedSshHost,
  env: Readonly<Record<string, string | undefined>>,
): Promise<SshAuth | string> {
  if (hop.identityFile === null) {
    const agent = env.SSH_AUTH_SOCK;
    if (!agent) return 'no identityFile in the inventory and no ssh-agent (SSH_AUTH_SOCK is not set)';
    return { agent, authHandler: ['agent'], described: `the keys of ssh-agent at ${agent}` };
  }
  const file = hop.identityFile;
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return `identity file ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(e)}`;
  }
  const passphrase = env[passphraseEnvVar] || undefined;
  const parsed = utils.parseKey(data, passphrase);
  if (parsed instanceof Error) {
    if (/passphrase given/.test(parsed.message))
      return `identity file ${file} is encrypted: put its passphrase in ${passphraseEnvVar}`;
    if (/passphrase/i.test(parsed.message))
      return `identity file ${file}: wrong passphrase in ${passphraseEnvVar}`;
    return `identity file ${file}: ${parsed.message}`;
  }
  // ssh2 returns a list for files that hold several keys; OpenSSH uses the first.
  const key = ([] as ParsedKey[]).concat(parsed)[0];
  if (!key || key.getPrivatePEM() === null) return `identity file ${file} holds no private key`;
  return {
    privateKey: data,
    passphrase,
    authHandler: ['publickey'],
    described: `key ${file} (${key.type})`,
  };
}
