import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../iptables/parse-save';
import type { KubeProxyNode } from './kube-proxy-lab';
import {
  kubeProxyHash,
  kubeProxyIptablesRestore,
  kubeProxyNftScript,
  servicePortNameParse,
} from './kube-proxy-lab';

const corpus = path.resolve(__dirname, '../../../shared/fixtures/real/kubernetes');
const hasCorpus = existsSync(corpus);

/** The two services of kube-proxy's own kubeproxy-nft-2clusterip fixture. */
const twoClusterIps: KubeProxyNode = {
  services: [
    {
      name: 'ns1/svc1:p80',
      clusterIp: '172.30.0.41',
      port: 80,
      protocol: 'tcp',
      nodePort: null,
      endpoints: [{ ip: '10.0.1.1', port: 80 }],
    },
    {
      name: 'ns2/svc2:p8080',
      clusterIp: '172.30.0.42',
      port: 8080,
      protocol: 'tcp',
      nodePort: null,
      endpoints: [{ ip: '10.0.2.1', port: 8080 }],
    },
  ],
  clusterCidr: '10.0.0.0/8',
  serviceCidr: '172.30.0.0/16',
  nodeIps: ['192.168.0.2'],
};

const lab: KubeProxyNode = {
  services: [
    {
      name: 'default/web:http',
      clusterIp: '10.96.0.10',
      port: 80,
      protocol: 'tcp',
      nodePort: 30080,
      endpoints: [
        { ip: '10.244.1.2', port: 80 },
        { ip: '10.244.2.2', port: 80 },
        { ip: '10.244.3.2', port: 80 },
      ],
    },
  ],
  clusterCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/12',
  nodeIps: ['198.18.1.13'],
};

describe('kubeProxyHash', () => {
  it("gives kube-proxy's own chain names (from its fixtures)", async () => {
    // KUBE-SVC-XPGD46QRK7WJZT7O and KUBE-SEP-SXIVWICOYRO3J4NJ in kubeproxy-iptables-overall.
    expect((await kubeProxyHash('ns1/svc1:p80tcp')).slice(0, 16)).toBe('XPGD46QRK7WJZT7O');
    expect((await kubeProxyHash('ns1/svc1:p80tcp10.180.0.1:80')).slice(0, 16)).toBe('SXIVWICOYRO3J4NJ');
    // service-ULMVA6XW-ns1/svc1/tcp/p80 in kubeproxy-nft-2clusterip.
    expect((await kubeProxyHash('ns1/svc1/tcp/p80')).slice(0, 8)).toBe('ULMVA6XW');
  });
});

describe('servicePortNameParse', () => {
  it('splits namespace/name:port and names a malformed one', () => {
    expect(servicePortNameParse('default/web:http')).toEqual({
      namespace: 'default',
      name: 'web',
      port: 'http',
    });
    expect(() => servicePortNameParse('web:http')).toThrow(
      "service name 'web:http': expected namespace/name:portName",
    );
  });
});

describe('kubeProxyNftScript', () => {
  it.runIf(hasCorpus)("writes the same commands as kube-proxy's 2-ClusterIP fixture", async () => {
    const fixture = readFileSync(path.join(corpus, 'kubeproxy-nft-2clusterip.nft'), 'utf8');
    const lines = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .sort();
    // Same commands; kube-proxy versions differ only in the order of `add element` lines.
    expect(lines(await kubeProxyNftScript(twoClusterIps))).toEqual(lines(fixture));
  });

  it('balances with numgen over every endpoint and sends NodePorts through the external chain', async () => {
    const script = await kubeProxyNftScript(lab);
    const svc = `service-${(await kubeProxyHash('default/web/tcp/http')).slice(0, 8)}-default/web/tcp/http`;
    const ext = svc.replace(/^service-/, 'external-');
    expect(script).toContain(`add rule ip kube-proxy ${svc} numgen random mod 3 vmap { 0 : goto endpoint-`);
    expect(script).toContain(`add element ip kube-proxy service-ips { 10.96.0.10 . tcp . 80 : goto ${svc} }`);
    expect(script).toContain(`add element ip kube-proxy service-nodeports { tcp . 30080 : goto ${ext} }`);
    expect(script).toContain('add element ip kube-proxy nodeport-ips { 198.18.1.13 }');
    expect(script).toContain('add rule ip kube-proxy cluster-ips-check ip daddr { 10.96.0.0/12 } drop');
  });
});

describe('kubeProxyIptablesRestore', () => {
  it('parses as an iptables-restore payload with the statistic cascade, marks and built-in jumps', async () => {
    const text = await kubeProxyIptablesRestore(lab);
    const dump = parseIptablesSave(text, { file: 'lab.restore' });
    const nat = dump.tables.find((t) => t.name === 'nat')!;
    const rules = (chain: string) => nat.chains.find((c) => c.name === chain)?.rules.map((r) => r.text) ?? [];
    const hash = (await kubeProxyHash('default/web:httptcp')).slice(0, 16);
    expect(rules('KUBE-NODEPORTS')).toEqual([
      `-A KUBE-NODEPORTS -p tcp -m comment --comment default/web:http -m tcp --dport 30080 -j KUBE-EXT-${hash}`,
    ]);
    const svc = rules(`KUBE-SVC-${hash}`);
    expect(svc[0]).toContain('! -s 10.244.0.0/16 -d 10.96.0.10/32');
    expect(svc[0]).toMatch(/-j KUBE-MARK-MASQ$/);
    expect(svc.slice(1).map((r) => /--probability (\S+)/.exec(r)?.[1] ?? 'last')).toEqual([
      '0.3333333333',
      '0.5000000000',
      'last',
    ]);
    expect(rules('KUBE-MARK-MASQ')).toEqual(['-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000']);
    expect(rules('KUBE-POSTROUTING').at(-1)).toContain('-j MASQUERADE --random-fully');
    // Built-in chains are not declared (their policies stay); kube-proxy's jumps go first.
    expect(text).not.toMatch(/^:(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) /m);
    expect(text).toContain(
      '-I PREROUTING 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    );
    expect(text).toContain(
      '-I POSTROUTING 1 -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    );
  });
});
