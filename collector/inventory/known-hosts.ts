import { createHmac } from 'node:crypto';
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { hostPatternListMatch } from './host-pattern';
import { sshKeyBlobType } from './ssh-key-blob';

/**
 * OpenSSH known_hosts files (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT): read, checked against the key a
 * server offers, and appended to for `--accept-new`.
 */

/** Which hosts a line is for: a pattern list, or one name hidden as HMAC-SHA1 (`|1|salt|hash`). */
export type KnownHostsNames =
  { kind: 'patterns'; list: string } | { kind: 'hashed'; salt: Buffer; hash: Buffer };

export interface KnownHostsEntry {
  file: string;
  line: number;
  /** `@cert-authority` keys sign host certificates; `@revoked` keys are refused. */
  marker: 'cert-authority' | 'revoked' | null;
  names: KnownHostsNames;
  keyType: string;
  /** The public key blob, as the server sends it during key exchange. */
  key: Buffer;
  comment: string;
}

/** A line OpenSSH would skip too; kept so that a caller can say why a key was not found. */
export interface KnownHostsInvalidLine {
  file: string;
  line: number;
  reason: string;
}

export interface KnownHostsContent {
  entries: KnownHostsEntry[];
  invalid: KnownHostsInvalidLine[];
}

export type KnownHostsVerdict = 'ok' | 'unknown' | 'changed' | 'revoked';

export function knownHostsParse(text: string, file: string): KnownHostsContent {
  const entries: KnownHostsEntry[] = [];
  const invalid: KnownHostsInvalidLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const entry = lineParse(raw.replace(/\r$/, '').trim(), file, i + 1);
    if (typeof entry === 'string') invalid.push({ file, line: i + 1, reason: entry });
    else if (entry) entries.push(entry);
  });
  return { entries, invalid };
}

/** An entry, null for a blank or comment line, or why the line is unusable. */
function lineParse(text: string, file: string, line: number): KnownHostsEntry | null | string {
  if (text === '' || text.startsWith('#')) return null;
  const fields = text.split(/[ \t]+/);
  let marker: KnownHostsEntry['marker'] = null;
  if (fields[0]?.startsWith('@')) {
    const word = fields.shift();
    if (word === '@cert-authority') marker = 'cert-authority';
    else if (word === '@revoked') marker = 'revoked';
    else return `unknown marker '${word}'`;
  }
  const [hosts, keyType, base64, ...comment] = fields;
  if (hosts === undefined || keyType === undefined || base64 === undefined)
    return 'expected hosts, key type and key';
  const names = namesParse(hosts);
  if (!names) return 'malformed hashed host';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return 'key is not base64';
  const key = Buffer.from(base64, 'base64');
  if (sshKeyBlobType(key) !== keyType) return `key is not a ${keyType} key`;
  return { file, line, marker, names, keyType, key, comment: comment.join(' ') };
}

function namesParse(hosts: string): KnownHostsNames | null {
  if (!hosts.startsWith('|')) return { kind: 'patterns', list: hosts };
  const parts = hosts.split('|');
  // `|1|salt|hash`: the only hashing OpenSSH has, HMAC-SHA1 keyed with a 20-byte salt.
  if (parts.length !== 4 || parts[1] !== '1') return null;
  const salt = Buffer.from(parts[2]!, 'base64');
  const hash = Buffer.from(parts[3]!, 'base64');
  return salt.length === 20 && hash.length === 20 ? { kind: 'hashed', salt, hash } : null;
}

/** Reads known_hosts files in order; a file that does not exist holds no keys. */
export async function knownHostsRead(files: readonly string[]): Promise<KnownHostsContent> {
  const all: KnownHostsContent = { entries: [], invalid: [] };
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const { entries, invalid } = knownHostsParse(text, file);
    all.entries.push(...entries);
    all.invalid.push(...invalid);
  }
  return all;
}

/** The name OpenSSH looks up and records: `host` on port 22, `[host]:port` otherwise, lower case. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** The entries, of any marker, whose names match the host on that port. */
export function knownHostsFor(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
): KnownHostsEntry[] {
  const name = knownHostsName(host, port);
  return entries.filter((e) =>
    e.names.kind === 'patterns'
      ? hostPatternListMatch(name, e.names.list)
      : createHmac('sha1', e.names.salt).update(name).digest().equals(e.names.hash),
  );
}

/**
 * Checks the key a server offered. A revoked key is refused whatever else matches; 'unknown' means
 * no plain key is recorded for the host; 'changed' means keys are recorded but not this one, also
 * when they are of another type (the transport asks for the recorded types first, as OpenSSH does,
 * so a server that still has its old key offers it). `@cert-authority` lines are not plain keys.
 */
export function knownHostsVerify(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
): KnownHostsVerdict {
  const matching = knownHostsFor(entries, host, port);
  const same = (e: KnownHostsEntry) => e.keyType === keyType && e.key.equals(keyBlob);
  if (matching.some((e) => e.marker === 'revoked' && same(e))) return 'revoked';
  const plain = matching.filter((e) => e.marker === null);
  if (plain.some(same)) return 'ok';
  return plain.length === 0 ? 'unknown' : 'changed';
}

// Appends from hosts collected in parallel go one at a time, so lines never interleave.
const appendQueues = new Map<string, Promise<void>>();

/** Records a first-seen key. Only for packetlens' own known_hosts: the user's file is never written. */
export function knownHostsAppend(file: string, host: string, port: number, keyBlob: Buffer): Promise<void> {
  const keyType = sshKeyBlobType(keyBlob);
  if (keyType === null) return Promise.reject(new Error('knownHostsAppend: not an SSH public key blob'));
  const line = `${knownHostsName(host, port)} ${keyType} ${keyBlob.toString('base64')}\n`;
  const previous = appendQueues.get(file) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(() => lineAppend(file, line));
  appendQueues.set(file, next);
  return next;
}

async function lineAppend(file: string, line: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // A file whose last line has no newline would otherwise glue the new entry onto it.
  const last = await lastByte(file);
  const prefix = last === null || last === '\n' ? '' : '\n';
  await appendFile(file, prefix + line, { mode: 0o644 });
}

async function lastByte(file: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return null;
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, size - 1);
    return byte.toString('latin1');
  } finally {
    await handle.close();
  }
}
