import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedSshHost } from '../inventory/inventory';
import { sshKeyFingerprint } from '../inventory/ssh-key-blob';
import { run, withNetns } from '../netns/netns';
import { sshConnect } from './ssh';
import type { Sshd, VethLink } from './sshd-netns-fixture';
import { cleanupOnExit, netnsProcessesKill, sshdStart, vethDown, vethUp } from './sshd-netns-fixture';
import { failureOf, strict, withSsh } from './ssh-test-support';

// One namespace with a real OpenSSH sshd, reached over a veth from the root namespace.
const isRoot = process.getuid?.() === 0;
const dir = mkdtempSync(path.join(os.tmpdir(), 'packetlens-sshd-'));
const knownHosts = path.join(dir, 'known_hosts');
let ns = '';
let link: VethLink;
let sshd: Sshd | null = null;
let release: () => void = () => {};
let environment: Promise<void> = Promise.resolve();

function keygen(name: string): { file: string; public: string; fingerprint: string } {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  const publicText = readFileSync(`${file}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  const blob = Buffer.from(publicText.split(' ')[1]!, 'base64');
  return { file, public: publicText, fingerprint: `ssh-ed25519 ${sshKeyFingerprint(blob)}` };
}

const hostKey = keygen('ssh_host_ed25519_key');
const newHostKey = keygen('ssh_host_ed25519_key_new');
const userKey = keygen('id_ed25519');
writeFileSync(path.join(dir, 'authorized_keys'), `${userKey.public}\n`);

function sshdRun(key: string): Promise<Sshd> {
  return sshdStart(ns, dir, {
    listen: [link.nsAddress, '127.0.0.1'],
    hostKey: key,
    authorizedKeys: path.join(dir, 'authorized_keys'),
  });
}

function node(overrides: Partial<ResolvedSshHost> = {}): ResolvedSshHost {
  return {
    name: 'netns-node',
    local: false,
    labels: {},
    address: link.nsAddress,
    port: 22,
    user: 'root',
    identityFile: userKey.file,
    knownHosts,
    connectTimeoutMs: 5000,
    commandTimeoutMs: 10_000,
    sudo: false,
    jump: null,
    ...overrides,
  };
}

beforeAll(async () => {
  if (!isRoot) return;
  // The namespace lives until afterAll releases it; withNetns deletes it also when setup throws.
  await new Promise<void>((ready, failed) => {
    environment = withNetns('sshd', async (name) => {
      ns = name;
      link = await vethUp(ns);
      const forget = cleanupOnExit(ns, link, () => sshd?.process ?? null);
      try {
        sshd = await sshdRun(hostKey.file);
        writeFileSync(knownHosts, `${link.nsAddress} ${hostKey.public}\n127.0.0.1 ${hostKey.public}\n`);
        ready();
        await new Promise<void>((r) => (release = r));
      } finally {
        await sshd?.stop();
        await netnsProcessesKill(ns);
        await vethDown(link);
        forget();
      }
    }).catch(failed);
  });
});

afterAll(async () => {
  release();
  await environment;
  rmSync(dir, { recursive: true, force: true });
});

describe('SSH transport against OpenSSH sshd in a network namespace', () => {
  it('runs a command inside the namespace with exit code, stderr and binary stdout', async () => {
    await withSsh(node(), strict, async (ssh) => {
      const addresses = await ssh.exec('ip -4 -o addr show; echo oops >&2; exit 4', { timeoutMs: 10_000 });
      expect(addresses.code).toBe(4);
      expect(addresses.stderr).toBe('oops\n');
      expect(addresses.stdout.toString()).toContain(`inet ${link.nsAddress}/30`);
      const zipped = await ssh.exec("printf 'COMMIT\\0\\377\\n%.0s' {1..2000} | gzip -c", {
        timeoutMs: 10_000,
      });
      expect(gunzipSync(zipped.stdout)).toEqual(Buffer.from('COMMIT\0\xff\n'.repeat(2000), 'latin1'));
    });
  });

  it('stops a hung command after its timeout', async () => {
    await withSsh(node(), strict, async (ssh) => {
      const pidFile = path.join(dir, 'hung.pid');
      const failure = await failureOf(ssh.exec(`echo $$ > ${pidFile}; exec sleep 60`, { timeoutMs: 500 }));
      expect(failure).toMatchObject({
        kind: 'timeout',
        message: 'netns-node: command did not finish within 500 ms',
      });
      expect((await ssh.exec('echo alive', { timeoutMs: 10_000 })).stdout.toString()).toBe('alive\n');
      // The KILL signal request was sent, but OpenSSH refuses signals in root sessions ("session
      // signalling requires privilege separation"), so the command lives on: ended here by hand.
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    });
  });

  it('jumps through sshd to a second address behind it', async () => {
    const bastion = node({ name: 'bastion' });
    await withSsh(node({ address: '127.0.0.1', jump: bastion }), strict, async (ssh) => {
      const result = await ssh.exec('echo "$SSH_CONNECTION"', { timeoutMs: 10_000 });
      // sshd saw the second connection come from its own loopback: it went through the tunnel.
      expect(result.stdout.toString()).toMatch(/^127\.0\.0\.1 \d+ 127\.0\.0\.1 22\n$/);
    });
    const failure = await failureOf(
      sshConnect(node({ address: '127.0.0.1', port: 2, jump: bastion }), strict),
    );
    expect(failure).toMatchObject({
      kind: 'unreachable',
      message: 'netns-node: 127.0.0.1:2: bastion could not connect to it: Connection refused',
    });
  });

  it('refuses an unknown host key, and records it with acceptNew', async () => {
    const empty = path.join(dir, 'empty_known_hosts');
    const own = path.join(dir, 'packetlens_known_hosts');
    const target = node({ knownHosts: empty });
    const failure = await failureOf(sshConnect(target, { ...strict, ownKnownHosts: own }));
    expect(failure.kind).toBe('host-key');
    expect(failure.message).toContain('run again with --accept-new');
    await withSsh(target, { ...strict, ownKnownHosts: own, acceptNew: true }, async (ssh) => {
      expect((await ssh.exec('true', { timeoutMs: 10_000 })).code).toBe(0);
    });
    expect(readFileSync(own, 'utf8')).toBe(`${link.nsAddress} ${hostKey.public}\n`);
    await withSsh(target, { ...strict, ownKnownHosts: own }, async (ssh) => {
      expect((await ssh.exec('true', { timeoutMs: 10_000 })).code).toBe(0);
    });
  });

  it('refuses a host whose key changed', async () => {
    await sshd?.stop();
    sshd = await sshdRun(newHostKey.file);
    const failure = await failureOf(sshConnect(node(), { ...strict, acceptNew: true, ownKnownHosts: null }));
    expect(failure.kind).toBe('host-key');
    expect(failure.message).toBe(
      `netns-node: ${link.nsAddress}:22: HOST KEY CHANGED: the host offered ${newHostKey.fingerprint} but ` +
        `known_hosts records ${hostKey.fingerprint} (${knownHosts}:1). Someone may be intercepting the ` +
        'connection (man in the middle), or the host was reinstalled; refusing to connect. If the change is ' +
        'expected, remove the old line and run again with --accept-new',
    );
  });

  it('reports a stopped sshd as unreachable', async () => {
    await sshd?.stop();
    const failure = await failureOf(sshConnect(node(), strict));
    expect(failure).toMatchObject({
      kind: 'unreachable',
      message: `netns-node: ${link.nsAddress}:22: connection refused (is sshd running and listening on that port?)`,
    });
    // Every session ended with its connection: nothing of sshd is left in the namespace.
    expect((await run('ip', ['netns', 'pids', ns])).stdout).toBe('');
  });
});

it('runs as root, which network namespaces need', () => {
  expect(isRoot, 'run the integration tests as root').toBe(true);
});
