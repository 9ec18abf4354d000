import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedSshHost } from '../inventory/inventory';
import { sshKeyFingerprint } from '../inventory/ssh-key-blob';
import { processGone } from './process-gone';
import { sshConnect } from './ssh';
import type { TestSshServer } from './ssh-test-server';
import { testSshServerStart } from './ssh-test-server';
import { failureOf, strict, withSsh } from './ssh-test-support';

interface KeyPair {
  file: string;
  private: Buffer;
  /** `.pub` line without the comment */
  public: string;
  fingerprint: string;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'packetlens-ssh-'));
const user = 'collector';
const keys = {} as Record<
  'hostA' | 'hostB' | 'hostC' | 'hostOther' | 'ed25519' | 'ecdsa' | 'rsa' | 'encrypted' | 'stranger',
  KeyPair
>; // filled by beforeAll
const servers = {} as Record<'a' | 'b' | 'c', TestSshServer>;
const knownHosts = path.join(dir, 'known_hosts');
let agent: ChildProcess | null = null;
const agentSocket = path.join(dir, 'agent.sock');

function keygen(name: string, args: string[], passphrase = ''): KeyPair {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-N', passphrase, '-C', name, '-f', file, ...args]);
  const publicText = readFileSync(`${file}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  return {
    file,
    private: readFileSync(file),
    public: publicText,
    fingerprint: `${publicText.split(' ')[0]} ${sshKeyFingerprint(Buffer.from(publicText.split(' ')[1]!, 'base64'))}`,
  };
}

function hostEntry(port: number, key: KeyPair): string {
  return `[127.0.0.1]:${port} ${key.public}`;
}

function host(port: number, overrides: Partial<ResolvedSshHost> = {}): ResolvedSshHost {
  return {
    name: 'node-1',
    local: false,
    labels: {},
    address: '127.0.0.1',
    port,
    user,
    identityFile: keys.ed25519.file,
    knownHosts,
    connectTimeoutMs: 3000,
    commandTimeoutMs: 5000,
    sudo: false,
    jump: null,
    ...overrides,
  };
}

beforeAll(async () => {
  keys.hostA = keygen('host_a', ['-t', 'ed25519']);
  keys.hostB = keygen('host_b', ['-t', 'ecdsa']);
  keys.hostC = keygen('host_c', ['-t', 'rsa', '-b', '2048']);
  keys.hostOther = keygen('host_other', ['-t', 'ed25519']);
  keys.ed25519 = keygen('id_ed25519', ['-t', 'ed25519']);
  keys.ecdsa = keygen('id_ecdsa', ['-t', 'ecdsa', '-b', '384']);
  keys.rsa = keygen('id_rsa', ['-t', 'rsa', '-b', '2048']);
  keys.encrypted = keygen('id_encrypted', ['-t', 'ed25519'], 'correct horse');
  keys.stranger = keygen('id_stranger', ['-t', 'ed25519']);
  const authorizedKeys = [keys.ed25519, keys.ecdsa, keys.rsa, keys.encrypted].map((k) => k.public);
  servers.a = await testSshServerStart({ hostKey: keys.hostA.private, authorizedKeys, user, name: 'a' });
  servers.b = await testSshServerStart({ hostKey: keys.hostB.private, authorizedKeys, user, name: 'b' });
  servers.c = await testSshServerStart({ hostKey: keys.hostC.private, authorizedKeys, user, name: 'c' });
  writeFileSync(
    knownHosts,
    [
      hostEntry(servers.a.port, keys.hostA),
      hostEntry(servers.b.port, keys.hostB),
      hostEntry(servers.c.port, keys.hostC),
    ]
      .map((l) => `${l}\n`)
      .join(''),
  );
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  if (agent?.pid) process.kill(agent.pid, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('sshConnect: commands', () => {
  it('runs a command and returns its exit code, stdout and stderr', async () => {
    await withSsh(host(servers.a.port), strict, async (ssh) => {
      expect(ssh.host).toBe('node-1');
      const result = await ssh.exec('echo "ran on $PACKETLENS_TEST_SERVER"; echo warn >&2; exit 7', {
        timeoutMs: 5000,
      });
      expect(result).toEqual({ stdout: Buffer.from('ran on a\n'), stderr: 'warn\n', code: 7, signal: null });
    });
  });

  it('keeps binary stdout, passes stdin and reports signals', async () => {
    await withSsh(host(servers.a.port), strict, async (ssh) => {
      const zipped = await ssh.exec("printf 'rule\\0\\377\\n%.0s' {1..5000} | gzip -c", { timeoutMs: 5000 });
      expect(gunzipSync(zipped.stdout)).toEqual(Buffer.from('rule\0\xff\n'.repeat(5000), 'latin1'));
      const echoed = await ssh.exec('cat', { timeoutMs: 5000, stdin: Buffer.from([0, 1, 2, 255]) });
      expect(echoed.stdout).toEqual(Buffer.from([0, 1, 2, 255]));
      expect(await ssh.exec('kill -TERM $$', { timeoutMs: 5000 })).toMatchObject({
        code: null,
        signal: 'TERM',
      });
    });
  });

  it('stops a hung command after its timeout and keeps the connection usable', async () => {
    const pidFile = path.join(dir, 'hung.pid');
    await withSsh(host(servers.a.port), strict, async (ssh) => {
      const started = Date.now();
      const failure = await failureOf(ssh.exec(`echo $$ > ${pidFile}; sleep 30`, { timeoutMs: 300 }));
      expect(Date.now() - started).toBeLessThan(3000);
      expect(failure).toMatchObject({
        kind: 'timeout',
        message: 'node-1: command did not finish within 300 ms',
      });
      expect((await ssh.exec('echo still here', { timeoutMs: 5000 })).stdout.toString()).toBe('still here\n');
    });
    expect(servers.a.signals).toContain('KILL');
    expect(await processGone(Number(readFileSync(pidFile, 'utf8')))).toBe(true); // the signal killed it
  });

  it('reports a connection lost while a command runs', async () => {
    const server = await testSshServerStart({
      hostKey: keys.hostA.private,
      authorizedKeys: [keys.ed25519.public],
      user,
      name: 'lost',
    });
    try {
      await withSsh(
        host(server.port),
        { ...strict, ownKnownHosts: path.join(dir, 'lost_known_hosts'), acceptNew: true },
        async (ssh) => {
          const running = failureOf(ssh.exec('sleep 30', { timeoutMs: 10_000 }));
          await new Promise((r) => setTimeout(r, 200));
          server.dropAll();
          expect(await running).toMatchObject({ kind: 'unreachable' });
          expect((await running).message).toMatch(/^node-1: connection lost: /);
        },
      );
    } finally {
      await server.close();
    }
  });
  it('notices a host that stops answering through keepalives', async () => {
    // A TCP relay to server a that can go silent, as a host does when its network drops.
    let silent = false;
    const relay = createServer((inbound) => {
      const outbound = connect(servers.a.port, '127.0.0.1');
      inbound.on('data', (d) => silent || outbound.write(d));
      outbound.on('data', (d) => silent || inbound.write(d));
      for (const [a, b] of [
        [inbound, outbound],
        [outbound, inbound],
      ] as const) {
        a.on('error', () => b.destroy());
        a.on('close', () => b.destroy());
      }
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const port = (relay.address() as AddressInfo).port;
    const own = path.join(dir, 'relay_known_hosts');
    const options = {
      ...strict,
      ownKnownHosts: own,
      acceptNew: true,
      keepaliveIntervalMs: 100,
      keepaliveCountMax: 2,
    };
    try {
      await withSsh(host(port), options, async (ssh) => {
        const running = failureOf(ssh.exec('sleep 30', { timeoutMs: 20_000 }));
        // Let the command start first (a loaded CI machine may need a while) before the relay goes silent.
        await new Promise((r) => setTimeout(r, 1000));
        silent = true;
        const started = Date.now();
        expect(await running).toMatchObject({
          kind: 'unreachable',
          message: 'node-1: connection lost: no answer to SSH keepalives',
        });
        expect(Date.now() - started).toBeLessThan(3000);
      });
    } finally {
      relay.close();
    }
  });
});

describe('sshConnect: host keys', () => {
  it('refuses an unknown host key and tells how to accept it', async () => {
    const empty = path.join(dir, 'empty_known_hosts');
    const own = path.join(dir, 'own', 'known_hosts');
    const failure = await failureOf(
      sshConnect(host(servers.a.port, { knownHosts: empty }), { ...strict, ownKnownHosts: own }),
    );
    expect(failure.kind).toBe('host-key');
    expect(failure.message).toBe(
      `node-1: 127.0.0.1:${servers.a.port}: host key ${keys.hostA.fingerprint} is not in ${empty} or ${own}: ` +
        `if it is the right key, run again with --accept-new to record it in ${own}`,
    );
    expect(existsSync(own)).toBe(false);
  });

  it('records a first-seen key with acceptNew, in its own file only, and trusts it afterwards', async () => {
    const users = path.join(dir, 'users_known_hosts');
    writeFileSync(users, '# the user file\n');
    const own = path.join(dir, 'accepted', 'known_hosts');
    const target = host(servers.a.port, { knownHosts: users });
    await withSsh(target, { ...strict, ownKnownHosts: own, acceptNew: true }, async (ssh) => {
      expect((await ssh.exec('true', { timeoutMs: 5000 })).code).toBe(0);
    });
    expect(readFileSync(own, 'utf8')).toBe(`${hostEntry(servers.a.port, keys.hostA)}\n`);
    expect(readFileSync(users, 'utf8')).toBe('# the user file\n');
    await withSsh(target, { ...strict, ownKnownHosts: own }, async (ssh) => {
      expect((await ssh.exec('true', { timeoutMs: 5000 })).code).toBe(0);
    });
  });

  it('refuses a changed host key loudly, even with acceptNew', async () => {
    const changed = path.join(dir, 'changed_known_hosts');
    writeFileSync(changed, `${hostEntry(servers.a.port, keys.hostOther)}\n`);
    const own = path.join(dir, 'changed_own');
    const failure = await failureOf(
      sshConnect(host(servers.a.port, { knownHosts: changed }), {
        ...strict,
        ownKnownHosts: own,
        acceptNew: true,
      }),
    );
    expect(failure.kind).toBe('host-key');
    expect(failure.message).toBe(
      `node-1: 127.0.0.1:${servers.a.port}: HOST KEY CHANGED: the host offered ${keys.hostA.fingerprint} ` +
        `but known_hosts records ${keys.hostOther.fingerprint} (${changed}:1). Someone may be intercepting ` +
        'the connection (man in the middle), or the host was reinstalled; refusing to connect. If the change ' +
        'is expected, remove the old line and run again with --accept-new',
    );
    expect(existsSync(own)).toBe(false);
  });

  it('refuses a revoked host key', async () => {
    const revoked = path.join(dir, 'revoked_known_hosts');
    writeFileSync(revoked, `${hostEntry(servers.a.port, keys.hostA)}\n@revoked * ${keys.hostA.public}\n`);
    const failure = await failureOf(sshConnect(host(servers.a.port, { knownHosts: revoked }), strict));
    expect(failure).toMatchObject({
      kind: 'host-key',
      message: `node-1: 127.0.0.1:${servers.a.port}: host key ${keys.hostA.fingerprint} is marked @revoked in ${revoked}:2; refusing to connect`,
    });
  });

  it('checks hashed known_hosts entries', async () => {
    const hashed = path.join(dir, 'hashed_known_hosts');
    writeFileSync(hashed, `${hostEntry(servers.c.port, keys.hostC)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/);
    await withSsh(host(servers.c.port, { knownHosts: hashed }), strict, async (ssh) => {
      expect((await ssh.exec('echo $PACKETLENS_TEST_SERVER', { timeoutMs: 5000 })).stdout.toString()).toBe(
        'c\n',
      );
    });
  });
});

describe('sshConnect: authentication', () => {
  for (const kind of ['ed25519', 'ecdsa', 'rsa'] as const) {
    it(`logs in with an ${kind} identity file`, async () => {
      await withSsh(host(servers.b.port, { identityFile: keys[kind].file }), strict, async (ssh) => {
        expect((await ssh.exec('echo $PACKETLENS_TEST_SERVER', { timeoutMs: 5000 })).stdout.toString()).toBe(
          'b\n',
        );
      });
    });
  }

  it('reports a key the server refuses', async () => {
    const failure = await failureOf(
      sshConnect(host(servers.a.port, { identityFile: keys.stranger.file }), strict),
    );
    expect(failure).toMatchObject({
      kind: 'auth',
      message: `node-1: 127.0.0.1:${servers.a.port}: authentication refused for user collector with key ${keys.stranger.file} (ssh-ed25519)`,
    });
  });

  it('decrypts a passphrase-protected key with PACKETLENS_SSH_PASSPHRASE', async () => {
    const target = host(servers.a.port, { identityFile: keys.encrypted.file });
    const place = `node-1: 127.0.0.1:${servers.a.port}`;
    expect(await failureOf(sshConnect(target, strict))).toMatchObject({
      kind: 'auth',
      message: `${place}: identity file ${keys.encrypted.file} is encrypted: put its passphrase in PACKETLENS_SSH_PASSPHRASE`,
    });
    expect(
      await failureOf(sshConnect(target, { ...strict, env: { PACKETLENS_SSH_PASSPHRASE: 'wrong' } })),
    ).toMatchObject({
      kind: 'auth',
      message: `${place}: identity file ${keys.encrypted.file}: wrong passphrase in PACKETLENS_SSH_PASSPHRASE`,
    });
    await withSsh(target, { ...strict, env: { PACKETLENS_SSH_PASSPHRASE: 'correct horse' } }, async (ssh) => {
      expect((await ssh.exec('true', { timeoutMs: 5000 })).code).toBe(0);
    });
  });

  it('reports a missing identity file', async () => {
    const missing = path.join(dir, 'nope');
    expect(
      await failureOf(sshConnect(host(servers.a.port, { identityFile: missing }), strict)),
    ).toMatchObject({
      kind: 'auth',
      message: `node-1: 127.0.0.1:${servers.a.port}: identity file ${missing}: no such file`,
    });
  });

  it('uses ssh-agent when the host has no identity file', async () => {
    const target = host(servers.a.port, { identityFile: null });
    expect(await failureOf(sshConnect(target, strict))).toMatchObject({
      kind: 'auth',
      message: `node-1: 127.0.0.1:${servers.a.port}: no identityFile in the inventory and no ssh-agent (SSH_AUTH_SOCK is not set)`,
    });
    agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
    for (let i = 0; i < 50 && !existsSync(agentSocket); i++) await new Promise((r) => setTimeout(r, 50));
    execFileSync('ssh-add', ['-q', keys.ecdsa.file], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket } });
    await withSsh(target, { ...strict, env: { SSH_AUTH_SOCK: agentSocket } }, async (ssh) => {
      expect((await ssh.exec('echo agent', { timeoutMs: 5000 })).stdout.toString()).toBe('agent\n');
    });
  });
});

describe('sshConnect: reachability', () => {
  it('reports a refused connection as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await failureOf(sshConnect(host(port), strict))).toMatchObject({
      kind: 'unreachable',
      message: `node-1: 127.0.0.1:${port}: connection refused (is sshd running and listening on that port?)`,
    });
  });

  it('gives up on a server that accepts but never speaks SSH after connectTimeoutMs', async () => {
    const silent: NetServer = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      expect(await failureOf(sshConnect(host(port, { connectTimeoutMs: 300 }), strict))).toMatchObject({
        kind: 'unreachable',
        message: `node-1: 127.0.0.1:${port}: no SSH login within 300 ms (connect timeout)`,
      });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });
});

describe('sshConnect: jump hosts', () => {
  const via = (name: string, port: number, jump: ResolvedSshHost | null = null) =>
    host(port, { name, jump, identityFile: keys.rsa.file });

  it('reaches a host through a chain of two jump hosts', async () => {
    const bastion = via('bastion', servers.a.port);
    const middle = via('middle', servers.b.port, bastion);
    const target = host(servers.c.port, { jump: middle });
    await withSsh(target, strict, async (ssh) => {
      const result = await ssh.exec('echo "on $PACKETLENS_TEST_SERVER"', { timeoutMs: 5000 });
      expect(result.stdout.toString()).toBe('on c\n');
    });
    expect(servers.a.tunnels).toContain(`127.0.0.1:${servers.b.port}`);
    expect(servers.b.tunnels).toContain(`127.0.0.1:${servers.c.port}`);
  });

  it('names the jump host whose key is refused', async () => {
    const empty = path.join(dir, 'empty_for_jump');
    const bastion = host(servers.a.port, { name: 'bastion', knownHosts: empty });
    const failure = await failureOf(sshConnect(host(servers.b.port, { jump: bastion }), strict));
    expect(failure.kind).toBe('host-key');
    expect(failure.message).toMatch(
      new RegExp(`^node-1: jump host bastion \\(127\\.0\\.0\\.1:${servers.a.port}\\): host key ssh-ed25519 `),
    );
  });

  it('reports a target the jump host cannot reach', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const failure = await failureOf(sshConnect(host(port, { jump: via('bastion', servers.a.port) }), strict));
    expect(failure).toMatchObject({
      kind: 'unreachable',
      // ssh2's server sends only the reason code; OpenSSH adds a description (ssh.int.test.ts).
      message: `node-1: 127.0.0.1:${port}: bastion could not connect to it: connect failed`,
    });
  });
});
