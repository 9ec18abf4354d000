import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../snapshot/build';
import { corpusDir } from '../testing/corpus.test-support';
import { kubeServiceCounts, kubeServices } from './kube-services';

function servicesOf(name: string) {
  const file = path.join(corpusDir, 'kubernetes', name);
  return kubeServices(buildSnapshot([{ origin: file, text: readFileSync(file, 'utf8') }], { host: 'k' }));
}

describe('kube-proxy services read from its chains', () => {
  it('iptables mode: KUBE-SVC / KUBE-SVL chains, their KUBE-SEP DNATs, and the service without endpoints', () => {
    // lb-etp-local-affinity: KUBE-SVC-XPGD46QRK7WJZT7O -> SEP 10.180.0.1:80 and 10.180.2.1:80 (lines 39-42);
    // KUBE-SVL-XPGD46QRK7WJZT7O -> only 10.180.2.1:80 (lines 43-44).
    expect(servicesOf('kubeproxy-iptables-lb-etp-local-affinity.iptables')).toEqual([
      {
        mode: 'iptables',
        family: 'ip',
        service: 'ns1/svc1:p80',
        chain: 'KUBE-SVC-XPGD46QRK7WJZT7O',
        endpoints: ['10.180.0.1:80', '10.180.2.1:80'],
      },
      {
        mode: 'iptables',
        family: 'ip',
        service: 'ns1/svc1:p80',
        chain: 'KUBE-SVL-XPGD46QRK7WJZT7O',
        endpoints: ['10.180.2.1:80'],
      },
    ]);
    const overall = servicesOf('kubeproxy-iptables-overall.iptables');
    // ns6/svc6:p80 only appears in `-A KUBE-SERVICES ... "ns6/svc6:p80 has no endpoints" ... -j REJECT` (filter, line 9).
    expect(overall.find((s) => s.service === 'ns6/svc6:p80')).toEqual({
      mode: 'iptables',
      family: 'ip',
      service: 'ns6/svc6:p80',
      chain: null,
      endpoints: [],
    });
    expect(kubeServiceCounts(overall)).toEqual({ services: 6, endpoints: 5 });
  });

  it('nftables mode: service chains, their endpoint chains, and no-endpoint-services', () => {
    const nft = servicesOf('kubeproxy-nft-overall.nft.json');
    // chain service-LAUZTJTB-ns4/svc4/tcp/p80: numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-...__10.180.0.4/80,
    //   1 : goto endpoint-5RFCDDV7-...__10.180.0.5/80 }; each endpoint chain `dnat to 10.180.0.x:80`.
    expect(nft.find((s) => s.service === 'ns4/svc4:p80')).toEqual({
      mode: 'nftables',
      family: 'ip',
      service: 'ns4/svc4:p80',
      chain: 'service-LAUZTJTB-ns4/svc4/tcp/p80',
      endpoints: ['10.180.0.4:80', '10.180.0.5:80'],
    });
    expect(nft.find((s) => s.service === 'ns6/svc6:p80')).toMatchObject({ chain: null, endpoints: [] });
    expect(kubeServiceCounts(nft)).toEqual({ services: 6, endpoints: 5 });
  });
});
