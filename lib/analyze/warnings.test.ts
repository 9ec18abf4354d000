import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeProxyIptablesSave } from '../generate/kube-proxy-iptables';
import { buildSnapshot } from '../snapshot/build';
import { corpusDir } from '../testing/corpus.test-support';
import { defaultRestoreCalibration, restoreSeconds } from './restore-calibration';
import { snapshotWarnings, WarningsResult } from './warnings';

const lib = path.resolve(__dirname, '..');
const read = (file: string) => ({ origin: file, text: readFileSync(file, 'utf8') });

function warningsOf(
  inputs: { origin: string; text: string }[],
  sysctls: Record<string, string> = {},
): WarningsResult {
  const snap = buildSnapshot(inputs, { host: 'node' });
  snap.sysctls = sysctls;
  return WarningsResult.parse(snapshotWarnings(snap, { calibration: defaultRestoreCalibration }));
}

const byId = (r: WarningsResult, id: string) => r.warnings.filter((w) => w.id === id);

describe('warnings', () => {
  // The generator's node: 1,200 services x 5 endpoints, every 10th with a NodePort (120), as kube-proxy lays it out:
  // nat PREROUTING #1 -> KUBE-SERVICES (1,200 service rules, then #1201 addrtype LOCAL -> KUBE-NODEPORTS with 120 rules).
  const generated = warningsOf(
    [
      {
        origin: 'generated',
        text: kubeProxyIptablesSave({ services: 1200, endpointsPerService: 5, nodePortEvery: 10 }),
      },
    ],
    { 'net.netfilter.nf_conntrack_count': '90000', 'net.netfilter.nf_conntrack_max': '100000' },
  );

  it('counts the KUBE-SERVICES scan and what a new connection pays to reach its service', () => {
    expect(byId(generated, 'kube-services-rules')).toEqual([
      expect.objectContaining({
        severity: 'info',
        subject: 'ip/nat KUBE-SERVICES',
        measured: 1201,
        threshold: 1000,
      }),
    ]);
    // Worst: PREROUTING #1, KUBE-SERVICES #1201, KUBE-NODEPORTS #120 = 1,322 rules. Mean over the 1,320 entries:
    // cluster IPs cost 1 + i (i = 1..1200), NodePorts 1 + 1201 + j (j = 1..120): (721,800 + 151,500) / 1,320.
    const [first] = byId(generated, 'first-packet-rules');
    expect(first).toMatchObject({ severity: 'info', measured: 1322, threshold: 1000 });
    expect(first!.rules[0]!.chain).toBe('KUBE-NODEPORTS');
    const fp = generated.measurements.dumps[0]!.firstPacket!;
    expect(fp.entries).toBe(1320);
    expect(fp.expected).toBeCloseTo(873300 / 1320, 10);
  });

  it('notes kube-proxy large cluster mode above 1,000 endpoints', () => {
    expect(generated.measurements).toMatchObject({ services: 1200, endpoints: 6000 });
    expect(byId(generated, 'large-cluster-mode')).toEqual([
      expect.objectContaining({ severity: 'info', measured: 6000, threshold: 1000 }),
    ]);
  });

  it('conntrack at 90 % is a warning (above 75 %, not above 95 %)', () => {
    expect(byId(generated, 'conntrack-usage')).toEqual([
      expect.objectContaining({ severity: 'warning', measured: 90, threshold: 75, unit: '%' }),
    ]);
    expect(generated.notChecked.some((n) => n.startsWith('conntrack'))).toBe(false);
  });

  it('estimates the restore time from the calibration, for the rules the dump holds', () => {
    const d = generated.measurements.dumps[0]!;
    // nat: 3 built-in jumps, 4 fixed rules, 1,201 KUBE-SERVICES, 120 x 3 NodePort rules, 1,200 x (1 + 5 + 10);
    // filter: 11 built-in jumps and 4 fixed rules.
    expect(d.rules).toBe(3 + 4 + 1201 + 360 + 1200 * 16 + 15);
    expect(d.restoreSeconds).toBe(restoreSeconds(defaultRestoreCalibration, d.rules));
    expect(byId(generated, 'restore-seconds')).toEqual([]);
  });

  it('warns about rules in both iptables backends', () => {
    const r = warningsOf([
      read(path.join(lib, 'iptables/__fixtures__/both-backends.nft.iptables-save')),
      read(path.join(lib, 'iptables/__fixtures__/both-backends.legacy.iptables-save')),
    ]);
    expect(byId(r, 'both-backends')).toEqual([
      expect.objectContaining({ severity: 'warning', measured: 2, threshold: 1 }),
    ]);
    expect(r.warnings[0]!.id).toBe('both-backends');
  });

  it('finds DNAT targets no route reaches, and takes policy routing tables into account', () => {
    const dump = [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      '-A PREROUTING -d 203.0.113.1/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 198.18.101.5:8080',
      '-A PREROUTING -d 203.0.113.2/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 198.18.50.1:8080',
      'COMMIT',
      '',
    ].join('\n');
    const rules = { origin: 'dnat.rules', text: dump };
    // ip-route.json, table main: `blackhole 198.18.101.0/24` beside `default via 198.18.0.2`; 198.18.50.1 via va.
    const routes = read(path.join(lib, 'iproute/__fixtures__/ip-route.json'));
    const r = warningsOf([rules, routes]);
    expect(byId(r, 'dnat-unroutable')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        measured: 1,
        threshold: 0,
        rules: [expect.objectContaining({ line: 3 })],
      }),
    ]);
    expect(byId(r, 'dnat-unroutable')[0]!.message).toContain(
      '198.18.101.5: blackhole 198.18.101.0/24 (table main)',
    );
    // With ip-rule.json, packets marked 0x1 (among others) look up table 100, whose default route reaches it.
    const withRules = warningsOf([rules, routes, read(path.join(lib, 'iproute/__fixtures__/ip-rule.json'))]);
    expect(byId(withRules, 'dnat-unroutable')).toEqual([]);
    // Without routes nothing is claimed, and that is said.
    expect(warningsOf([rules]).notChecked).toContain(
      'DNAT reachability (ip): the snapshot holds no IPv4 routes',
    );
  });

  it('hygiene on a kube-proxy dump: stale endpoint chains, jumps to empty chains, repeated rules', () => {
    // kubeproxy-iptables-overall.iptables with one KUBE-SVC jump removed (line 85), so KUBE-SEP-C6EBXVWJJZMIWKLZ
    // is left behind, and one rule repeated.
    const text = readFileSync(path.join(corpusDir, 'kubernetes/kubeproxy-iptables-overall.iptables'), 'utf8')
      .split('\n')
      .filter(
        (l) =>
          l !==
          '-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ',
      )
      .flatMap((l) => (l.startsWith('-A KUBE-MARK-MASQ') ? [l, l] : [l]))
      .join('\n');
    const r = warningsOf([{ origin: 'overall-edited', text }]);
    expect(byId(r, 'stale-kube-chains')).toEqual([
      expect.objectContaining({ severity: 'warning', measured: 1 }),
    ]);
    expect(byId(r, 'stale-kube-chains')[0]!.message).toContain('ip/nat KUBE-SEP-C6EBXVWJJZMIWKLZ');
    expect(byId(r, 'duplicate-rules')).toEqual([
      expect.objectContaining({
        measured: 1,
        rules: [expect.objectContaining({ text: '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000', index: 2 })],
      }),
    ]);
    // 66: the comment-only rule of KUBE-FW-NUKIZ6OKUXPJNT4C has no target; no chain of the dump is empty.
    expect(byId(r, 'empty-chain-jumps')).toEqual([]);
  });
});
