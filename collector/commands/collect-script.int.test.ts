import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IptablesDump } from '../../lib/model/iptables';
import type { ExecResult } from '../netns/netns';
import { netnsRun, run, withNetns } from '../netns/netns';
import { collectScript } from './collect-script';
import { runScript } from './run-script';
import { snapshotFromOutput } from './sections-snapshot';

/*
 * Runs the real collect script inside a throwaway "host" namespace holding rules in both iptables
 * backends, an nft table, an ipset and a veth to a "pod" namespace. Everything lives in namespaces
 * this file creates and deletes; addresses are in 198.18.0.0/15 and no packet is sent.
 */

const tmp = mkdtempSync(path.join(tmpdir(), 'packetlens-collect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// Legacy tools lock /run/xtables.lock by default; a private lock keeps the machine's out of it.
const lockEnv = `XTABLES_LOCKFILE=${path.join(tmp, 'xtables.lock')}`;

async function must(result: Promise<ExecResult>): Promise<ExecResult> {
  const r = await result;
  if (r.code !== 0) throw new Error(`command failed (${r.code}): ${r.stderr.trim()}`);
  return r;
}

const nftRules = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:PL-POD - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -s 198.18.210.0/30 -p tcp --dport 22 -j ACCEPT
-A FORWARD -i veth0 -j PL-POD
-A PL-POD -s 198.18.210.2/32 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 198.18.210.0/30 ! -o veth0 -j MASQUERADE
COMMIT
`;
const nft6Rules = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p ipv6-icmp -j ACCEPT
COMMIT
`;
const legacyRules = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -s 198.18.211.0/24 -j DROP
-A OUTPUT -d 198.18.211.0/24 -j REJECT
COMMIT
`;
const nftTable = `table inet packetlens_test {
  set blocked { type ipv4_addr; elements = { 198.18.212.1 } }
  chain input { type filter hook input priority 10; policy accept; ip saddr @blocked counter drop; }
}
`;

async function setUp(host: string, pod: string): Promise<void> {
  await must(netnsRun(host, 'ip', ['link', 'set', 'lo', 'up']));
  await must(netnsRun(pod, 'ip', ['link', 'set', 'lo', 'up']));
  await must(
    netnsRun(host, 'ip', ['link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod]),
  );
  await must(netnsRun(host, 'ip', ['addr', 'add', '198.18.210.1/30', 'dev', 'veth0']));
  await must(netnsRun(host, 'ip', ['link', 'set', 'veth0', 'up']));
  await must(netnsRun(pod, 'ip', ['addr', 'add', '198.18.210.2/30', 'dev', 'eth0']));
  await must(netnsRun(pod, 'ip', ['link', 'set', 'eth0', 'up']));
  await must(netnsRun(pod, 'ip', ['route', 'add', 'default', 'via', '198.18.210.1']));
  await must(netnsRun(host, 'iptables-nft-restore', [], nftRules));
  await must(netnsRun(host, 'ip6tables-nft-restore', [], nft6Rules));
  await must(netnsRun(host, 'env', [lockEnv, 'iptables-legacy-restore'], legacyRules));
  await must(netnsRun(host, 'nft', ['-f', '-'], nftTable));
  await must(netnsRun(host, 'ipset', ['create', 'pl-test', 'hash:ip']));
  await must(netnsRun(host, 'ipset', ['add', 'pl-test', '198.18.210.2']));
}

/** Rules as the tool itself lists them in the namespace. */
async function ruleCount(ns: string, tool: string): Promise<number> {
  const saved = await must(netnsRun(ns, 'env', [lockEnv, tool, '-c']));
  return saved.stdout.split('\n').filter((l) => /^(\[\d+:\d+\] )?-A /.test(l)).length;
}

function rulesIn(dump: IptablesDump | undefined): number {
  return dump?.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0) ?? -1;
}

/** A PATH directory with every command of this machine but ipset. */
function pathWithoutIpset(): string {
  const bin = path.join(tmp, 'bin');
  mkdirSync(bin, { recursive: true });
  const made = new Set<string>();
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name === 'ipset' || made.has(name)) continue;
      symlinkSync(path.join(dir, name), path.join(bin, name));
      made.add(name);
    }
  }
  return bin;
}

describe('the collect script in a network namespace', () => {
  it('has root', () => {
    expect(process.getuid?.(), 'integration tests need root for network namespaces').toBe(0);
  });

  it('collects both backends, nft, ipsets, sysctls and the pod behind a veth', async () => {
    await withNetns('collect-stranger', (stranger) =>
      withNetns('collect-host', (host) =>
        withNetns('collect-pod', async (pod) => {
          await setUp(host, pod);
          const started = new Date().toISOString();
          const result = await runScript(collectScript(), {
            prefix: ['ip', 'netns', 'exec', host],
            shell: 'sh',
          });
          expect(result.stderr).toBe('');
          expect(result.code).toBe(0);
          const out = snapshotFromOutput(result.stdout, { host: 'test-host', collectedAt: started });
          const snap = out.snapshot;

          expect(out.compressed).toBe(true);
          expect(snap.host.kernel).toBe(release());
          expect(snap.host.hostname).toBe((await must(run('hostname', []))).stdout.trim());
          expect(snap.diagnostics.filter((d) => d.severity !== 'info')).toEqual([
            {
              severity: 'warning',
              message:
                'rules are loaded in both the legacy and the nft iptables backends: the kernel runs both, each tool shows only one',
              origin: null,
              line: null,
            },
          ]);

          const dump = (family: string, backend: string) =>
            snap.netfilter.iptables.find((d) => d.family === family && d.backend === backend);
          expect(rulesIn(dump('ip', 'nft'))).toBe(await ruleCount(host, 'iptables-nft-save'));
          expect(rulesIn(dump('ip6', 'nft'))).toBe(await ruleCount(host, 'ip6tables-nft-save'));
          expect(rulesIn(dump('ip', 'legacy'))).toBe(await ruleCount(host, 'iptables-legacy-save'));
          expect(rulesIn(dump('ip', 'nft'))).toBe(5);
          expect(rulesIn(dump('ip', 'legacy'))).toBe(2);
          expect(snap.netfilter.iptables).toHaveLength(3);
          expect(snap.host.iptablesBackend).toBe('nft');
          expect(snap.host.backendsWithRules).toEqual(['legacy', 'nft']);

          const table = snap.netfilter.nftables?.tables.find((t) => t.name === 'packetlens_test');
          expect(table).toMatchObject({ family: 'inet', managedBy: null });
          expect(snap.ipsets.map((s) => s.name)).toEqual(['pl-test']);
          expect(snap.sysctls).toMatchObject({ 'net.ipv4.ip_forward': expect.any(String) });
          expect(snap.sysctls['net.ipv4.conf.veth0.rp_filter']).toMatch(/^[012]$/);
          expect(snap.addresses.map((a) => `${a.ifname} ${a.local}/${a.prefixlen}`)).toContain(
            'veth0 198.18.210.1/30',
          );

          // Other namespaces on this machine (the root one, other tests') are seen but are not its pods.
          expect(snap.pods.map((p) => [p.host.name, p.host.kind, p.host.netns])).toEqual([
            [pod, 'pod', { name: pod, pid: null }],
          ]);
          const podSnap = snap.pods[0]!;
          expect(
            podSnap.addresses
              .filter((a) => a.family === 'ip')
              .map((a) => `${a.ifname} ${a.local}/${a.prefixlen}`),
          ).toEqual(['lo 127.0.0.1/8', 'eth0 198.18.210.2/30']);
          expect(
            podSnap.routes.filter((r) => r.table === 'main').map((r) => [r.dst, r.gateway, r.dev]),
          ).toEqual(
            expect.arrayContaining([
              ['0.0.0.0/0', '198.18.210.1', 'eth0'],
              ['198.18.210.0/30', null, 'eth0'],
            ]),
          );
          expect(podSnap.routingFamilies).toContain('ip');
          expect(podSnap.interfaces.find((i) => i.name === 'eth0')?.peer?.netnsId).not.toBeNull();
          expect(podSnap.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);

          // The raw sections stay, the runtimes this machine lacks reported as missing.
          expect(out.sections.find((s) => s.name === 'discover:crictl-pods')).toMatchObject({
            missing: true,
          });
          expect(out.sections.find((s) => s.name === 'host:iptables-nft-save')?.stdout).toContain('PL-POD');

          // A named namespace with no veth into the host is listed, not read, and said so.
          const metas = out.sections.filter((s) => /^ns\d+:meta$/.test(s.name));
          const strangerMeta = metas.find((m) =>
            out.sections.some(
              (s) => s.name === m.name.replace(':meta', ':path') && s.stdout.endsWith(`/${stranger}`),
            ),
          );
          expect(strangerMeta?.stdout).toMatch(/\ncollected=0\nskipped=no-nsid\n$/);
          const info = snap.diagnostics.find((d) => d.message.includes('are not counted as its pods'));
          expect(info?.message).toContain(stranger);
        }),
      ),
    );
  });

  it('reports a tool missing from PATH as missing, not as a failure', async () => {
    const bin = pathWithoutIpset();
    await withNetns('collect-noipset', async (host) => {
      await must(netnsRun(host, 'iptables-nft-restore', [], nftRules));
      const result = await runScript(collectScript({ pods: false, searchSbin: false }), {
        prefix: ['ip', 'netns', 'exec', host, 'env', '-i', `PATH=${bin}`],
        shell: 'bash',
      });
      expect(result.stderr).toBe('');
      const out = snapshotFromOutput(result.stdout, {
        host: 'no-ipset',
        collectedAt: new Date().toISOString(),
      });
      expect(out.sections.find((s) => s.name === 'host:ipset-save')).toMatchObject({
        missing: true,
        exitCode: 127,
        stdout: '',
        stderr: '',
      });
      expect(out.snapshot.ipsets).toEqual([]);
      expect(out.snapshot.diagnostics).toContainEqual({
        severity: 'info',
        message: 'ipset is not installed on this host: nothing collected',
        origin: 'ipset save',
        line: null,
      });
      expect(out.snapshot.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
      expect(rulesIn(out.snapshot.netfilter.iptables.find((d) => d.family === 'ip'))).toBe(5);
      expect(out.snapshot.pods).toEqual([]);
    });
  });
});
