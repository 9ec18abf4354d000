import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPatternListMatch } from './host-pattern';
import type { KnownHostsEntry } from './known-hosts';
import {
  knownHostsAppend,
  knownHostsFor,
  knownHostsParse,
  knownHostsRead,
  knownHostsVerify,
} from './known-hosts';
import { sshKeyBlobType, sshKeyFingerprint } from './ssh-key-blob';

interface PublicKey {
  /** `ssh-ed25519 AAAA…` as in a .pub file, without the comment. */
  text: string;
  type: string;
  blob: Buffer;
}

let dir: string;
const keys = {} as Record<'a' | 'b' | 'ecdsa' | 'rsa', PublicKey>; // filled by beforeAll

function keygen(name: string, args: string[]): PublicKey {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-C', name, '-f', file, ...args]);
  const [type, base64] = readFileSync(`${file}.pub`, 'utf8').split(' ');
  return { text: `${type} ${base64}`, type: type!, blob: Buffer.from(base64!, 'base64') };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'packetlens-known-hosts-'));
  keys.a = keygen('a', ['-t', 'ed25519']);
  keys.b = keygen('b', ['-t', 'ed25519']);
  keys.ecdsa = keygen('ecdsa', ['-t', 'ecdsa']);
  keys.rsa = keygen('rsa', ['-t', 'rsa', '-b', '2048']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWrite(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function entriesOf(lines: string[]): KnownHostsEntry[] {
  return knownHostsParse(lines.join('\n'), 'known_hosts').entries;
}

/** The lines OpenSSH's own lookup finds for a name (`ssh-keygen -F`), as line numbers. */
function opensshLines(file: string, name: string): number[] {
  let out = '';
  try {
    out = execFileSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' });
  } catch {
    return []; // exit status 1: not found
  }
  return [...out.matchAll(/^# Host .* found: line (\d+)/gm)].map((m) => Number(m[1]));
}

const lookups: [string, number][] = [
  ['a.example.com', 22],
  ['bad.example.com', 22],
  ['node-1.lab', 22],
  ['node-12.lab', 22],
  ['NODE-1.LAB', 22],
  ['10.0.0.5', 22],
  ['10.0.0.5', 2222],
  ['10.0.0.5', 2200],
  ['x.corp', 22],
  ['fd00::1', 22],
  ['fd00::1', 2200],
  ['nowhere.test', 22],
];

describe('known_hosts lookup agrees with OpenSSH (ssh-keygen -F)', () => {
  const linesFor = () => [
    '# comment',
    `*.example.com,!bad.example.com ${keys.a.text}`,
    `node-?.lab ${keys.a.text}`,
    `[10.0.0.5]:2222 ${keys.ecdsa.text}`,
    `10.0.0.5 ${keys.rsa.text} with a comment`,
    `@revoked * ${keys.b.text}`,
    `@cert-authority *.corp ${keys.a.text}`,
    '',
    `fd00::1 ${keys.a.text}`,
    `[fd00::1]:2200 ${keys.a.text}`,
  ];

  it('for plain patterns: lists, wildcards, negation, ports and case', () => {
    const file = fileWrite('plain', linesFor());
    const { entries, invalid } = knownHostsParse(readFileSync(file, 'utf8'), file);
    expect(invalid).toEqual([]);
    for (const [host, port] of lookups) {
      const name = port === 22 ? host : `[${host}]:${port}`;
      const ours = knownHostsFor(entries, host, port).map((e) => e.line);
      expect(ours, name).toEqual(opensshLines(file, name));
    }
  });

  it('for entries hashed by ssh-keygen -H', () => {
    const file = fileWrite('hashed', linesFor());
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text.match(/^\|1\|/gm)).toHaveLength(4); // the four names without wildcards
    const { entries } = knownHostsParse(text, file);
    for (const [host, port] of lookups) {
      const name = port === 22 ? host : `[${host}]:${port}`;
      expect(
        knownHostsFor(entries, host, port).map((e) => e.line),
        name,
      ).toEqual(opensshLines(file, name));
    }
    expect(knownHostsVerify(entries, '10.0.0.5', 2222, keys.ecdsa.type, keys.ecdsa.blob)).toBe('ok');
    expect(knownHostsVerify(entries, '10.0.0.5', 22, keys.rsa.type, keys.rsa.blob)).toBe('ok');
    expect(knownHostsVerify(entries, '10.0.0.5', 22, keys.a.type, keys.a.blob)).toBe('changed');
  });
});

describe('knownHostsParse', () => {
  it('reads markers, hashed names, key types and comments', () => {
    const [revoked, ca, plain] = entriesOf([
      `@revoked * ${keys.b.text}`,
      `@cert-authority *.corp ${keys.a.text}`,
      `node-1,10.0.0.1 ${keys.rsa.text} root@node-1 added by hand`,
    ]);
    expect(revoked).toMatchObject({ line: 1, marker: 'revoked', names: { kind: 'patterns', list: '*' } });
    expect(ca).toMatchObject({ line: 2, marker: 'cert-authority', keyType: 'ssh-ed25519' });
    expect(plain).toMatchObject({
      line: 3,
      marker: null,
      keyType: 'ssh-rsa',
      comment: 'root@node-1 added by hand',
    });
    expect(plain!.key.equals(keys.rsa.blob)).toBe(true);
  });

  it('skips lines OpenSSH would skip, saying why', () => {
    const { entries, invalid } = knownHostsParse(
      [
        `@trusted host ${keys.a.text}`,
        'host-only',
        `host ssh-rsa ${keys.a.text.split(' ')[1]}`,
        `|1|c2FsdA==|aGFzaA== ${keys.a.text}`,
        'host ssh-ed25519 not*base64',
        `  # indented comment`,
        `\thost ${keys.a.text}\r`,
      ].join('\n'),
      'kh',
    );
    expect(invalid).toEqual([
      { file: 'kh', line: 1, reason: "unknown marker '@trusted'" },
      { file: 'kh', line: 2, reason: 'expected hosts, key type and key' },
      { file: 'kh', line: 3, reason: 'key is not a ssh-rsa key' },
      { file: 'kh', line: 4, reason: 'malformed hashed host' },
      { file: 'kh', line: 5, reason: 'key is not base64' },
    ]);
    expect(entries.map((e) => e.line)).toEqual([7]);
  });
});

describe('knownHostsVerify', () => {
  it('says ok, changed, unknown or revoked', () => {
    const entries = entriesOf([
      `10.0.0.1 ${keys.a.text}`,
      `[10.0.0.1]:2222 ${keys.ecdsa.text}`,
      `@revoked 10.0.0.9 ${keys.a.text}`,
      `10.0.0.9 ${keys.a.text}`,
      `@cert-authority 10.0.0.7 ${keys.a.text}`,
    ]);
    expect(knownHostsVerify(entries, '10.0.0.1', 22, keys.a.type, keys.a.blob)).toBe('ok');
    expect(knownHostsVerify(entries, '10.0.0.1', 22, keys.b.type, keys.b.blob)).toBe('changed');
    // Recorded with another key type: refused as a change, never silently accepted as new.
    expect(knownHostsVerify(entries, '10.0.0.1', 22, keys.rsa.type, keys.rsa.blob)).toBe('changed');
    expect(knownHostsVerify(entries, '10.0.0.1', 2222, keys.ecdsa.type, keys.ecdsa.blob)).toBe('ok');
    expect(knownHostsVerify(entries, '10.0.0.1', 2200, keys.a.type, keys.a.blob)).toBe('unknown');
    expect(knownHostsVerify(entries, '10.0.0.2', 22, keys.a.type, keys.a.blob)).toBe('unknown');
    // A revoked key is refused even where a plain line accepts it.
    expect(knownHostsVerify(entries, '10.0.0.9', 22, keys.a.type, keys.a.blob)).toBe('revoked');
    // A CA key is not a host key.
    expect(knownHostsVerify(entries, '10.0.0.7', 22, keys.a.type, keys.a.blob)).toBe('unknown');
  });
});

describe('knownHostsAppend', () => {
  it('writes lines ssh-keygen finds, creating the file and fixing a missing last newline', async () => {
    const file = path.join(dir, 'own', 'known_hosts');
    await knownHostsAppend(file, 'Node-1.Lab', 22, keys.a.blob);
    writeFileSync(file, readFileSync(file, 'utf8') + '# no newline at the end');
    await Promise.all([
      knownHostsAppend(file, '10.0.0.5', 2222, keys.ecdsa.blob),
      knownHostsAppend(file, 'fd00::1', 2200, keys.rsa.blob),
    ]);
    expect(readFileSync(file, 'utf8')).toBe(
      [
        `node-1.lab ${keys.a.text}`,
        '# no newline at the end',
        `[10.0.0.5]:2222 ${keys.ecdsa.text}`,
        `[fd00::1]:2200 ${keys.rsa.text}`,
        '',
      ].join('\n'),
    );
    expect(opensshLines(file, 'node-1.lab')).toEqual([1]);
    expect(opensshLines(file, '[10.0.0.5]:2222')).toEqual([3]);
    const { entries } = await knownHostsRead([file, path.join(dir, 'absent')]);
    expect(knownHostsVerify(entries, 'fd00::1', 2200, keys.rsa.type, keys.rsa.blob)).toBe('ok');
  });
});

describe('host patterns and key blobs', () => {
  it('match like OpenSSH patterns', () => {
    expect(hostPatternListMatch('a.b', 'a.b')).toBe(true);
    expect(hostPatternListMatch('axb', 'a.b')).toBe(false); // '.' is literal
    expect(hostPatternListMatch('a.b', '!a.b,*')).toBe(false);
    expect(hostPatternListMatch('a.b', '!x,*')).toBe(true);
    expect(hostPatternListMatch('a.b', '!x')).toBe(false); // only negatives never match
    expect(hostPatternListMatch('[h]:22', '[h]:2?')).toBe(true);
  });

  it('read the key type and print the fingerprint ssh-keygen prints', () => {
    expect(sshKeyBlobType(keys.ecdsa.blob)).toBe('ecdsa-sha2-nistp256');
    expect(sshKeyBlobType(Buffer.from([0, 0, 0, 9, 1]))).toBeNull();
    const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, 'rsa.pub')], {
      encoding: 'utf8',
    });
    expect(printed.split(' ')[1]).toBe(sshKeyFingerprint(keys.rsa.blob));
  });
});
