import { readFileSync } from 'node:fs';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../snapshot/build';
import { corpusDir, filesUnder, iptablesDumpName, nftJsonName } from '../testing/corpus.test-support';
import type { Condition, DnatFlow } from './flow-model';
import { FlowsResult, snapshotFlows } from './flows';

const captured = path.resolve(__dirname, '..');
const dumps = [
  ...filesUnder(corpusDir, iptablesDumpName),
  ...filesUnder(corpusDir, nftJsonName),
  ...filesUnder(captured, /\.(iptables-save|ip6tables-save|nft\.json)$/),
];

function flowsOfFile(file: string): FlowsResult {
  const snap = buildSnapshot([{ origin: file, text: readFileSync(file, 'utf8') }], {
    host: path.basename(file),
  });
  return FlowsResult.parse(snapshotFlows(snap));
}

describe('flows on every corpus and captured dump', () => {
  it.each(dumps.map((f) => [path.relative(path.resolve(__dirname, '../../..'), f), f]))(
    '%s: every branch of every flow has shares that add up to 1, or says why not',
    (_name, file) => {
      const r = flowsOfFile(file);
      for (const f of r.dnat)
        for (const b of f.branches) {
          if (b.endpointSum?.fraction === '1') expect(b.why, `${f.id}`).toEqual([]);
          else expect(b.why.length, `${f.id} ${JSON.stringify(b.when)}`).toBeGreaterThan(0);
        }
    },
  );

  it('finds the kube-proxy services of both modes of the overall fixtures: the same six, the same endpoints', () => {
    const ipt = flowsOfFile(path.join(corpusDir, 'kubernetes/kubeproxy-iptables-overall.iptables'));
    const nft = flowsOfFile(path.join(corpusDir, 'kubernetes/kubeproxy-nft-overall.nft.json'));
    const endpoints = (r: FlowsResult) => {
      const out: Record<string, string[]> = {};
      for (const f of r.dnat)
        if (f.owner.kind === 'kube-proxy' && f.owner.service)
          out[f.owner.service] = [
            ...new Set([
              ...(out[f.owner.service] ?? []),
              ...f.branches.flatMap((b) => b.endpoints.map((e) => e.to)),
            ]),
          ].sort();
      return out;
    };
    const expected = {
      'ns1/svc1:p80': ['10.180.0.1:80'],
      'ns2/svc2:p80': ['10.180.0.2:80'],
      'ns3/svc3:p80': ['10.180.0.3:80'],
      'ns4/svc4:p80': ['10.180.0.4:80', '10.180.0.5:80'],
      'ns5/svc5:p80': ['10.180.0.3:80'],
      'ns6/svc6:p80': [],
    };
    expect(endpoints(ipt)).toEqual(expected);
    expect(endpoints(nft)).toEqual(expected);
    expect(ipt.summary).toMatchObject({ services: 6, endpoints: 5 });
    expect(nft.summary).toMatchObject({ services: 6, endpoints: 5 });
  });
});

// kube-proxy's own packet-flow expectations for its iptables fixtures (../shared/fixtures/real/kubernetes/flows.json).
interface OracleFlow {
  fixture: string;
  case: string;
  src: string;
  dst: string;
  proto: string;
  dport: number;
  output: string;
  node_ips: string[];
  tracer: 'modern' | 'legacy';
}

function inCidr(addr: string, cidr: string): boolean {
  const a = ipaddr.parse(addr);
  const [net, len] = cidr.includes('/')
    ? ipaddr.parseCIDR(cidr)
    : [ipaddr.parse(cidr), a.kind() === 'ipv4' ? 32 : 128];
  return a.kind() === net.kind() && a.match(net, len);
}

function portIn(port: number, c: Condition): boolean {
  const hit = c.value.split(',').some((p) => {
    const [from, to] = p.split(':').map(Number);
    return port >= from! && port <= (to ?? from)!;
  });
  return hit !== c.negate;
}

/** The test's own reading of a flow's catch and branch conditions for one packet. */
function caseMatches(f: DnatFlow, c: OracleFlow, local: Set<string>): boolean {
  const k = f.catch;
  if (!k.destination.every((d) => inCidr(c.dst, d.value) !== d.negate)) return false;
  if (!k.destinationPorts.every((p) => portIn(c.dport, p))) return false;
  if (c.tracer === 'modern' && !k.protocol.every((p) => (p.value === c.proto) !== p.negate)) return false;
  if (!k.destinationType.every((t) => (t.value === 'LOCAL' && local.has(c.dst)) !== t.negate)) return false;
  return k.source.every((s) => inCidr(c.src, s.value) !== s.negate);
}

function whenHolds(cond: string, c: OracleFlow, local: Set<string>): boolean {
  const src = /^(! )?-s (\S+)$/.exec(cond);
  if (src) return inCidr(c.src, src[2]!) !== Boolean(src[1]);
  const type = /^-m addrtype (! )?--src-type LOCAL$/.exec(cond);
  if (type) return local.has(c.src) !== Boolean(type[1]);
  throw new Error(`the oracle test does not read the condition '${cond}'`);
}

describe("flows agree with kube-proxy's own expected packet flows (flows.json)", () => {
  const oracle = JSON.parse(readFileSync(path.join(corpusDir, 'kubernetes/flows.json'), 'utf8')) as {
    flows: OracleFlow[];
  };
  const cases = oracle.flows.filter((c) => c.output !== 'ACCEPT');
  it.each(
    cases.map((c) => [
      `${c.fixture}: ${c.case} (${c.src} -> ${c.dst}:${c.dport} = ${c.output || 'nothing'})`,
      c,
    ]),
  )('%s', (_name, c) => {
    const flows = flowsOfFile(path.join(corpusDir, 'kubernetes', c.fixture)).dnat;
    const local =
      c.tracer === 'legacy'
        ? new Set([c.node_ips[0]!, '127.0.0.1'])
        : new Set([...c.node_ips, '127.0.0.1', '::1']);
    const flow = flows.find((f) => caseMatches(f, c, local));
    if (c.output === '') {
      expect(flow?.branches.some((b) => b.endpoints.length > 0) ?? false).toBe(false);
      return;
    }
    expect(flow, 'a flow catches the packet').toBeDefined();
    const branch = flow!.branches.find((b) => b.when.every((w) => whenHolds(w, c, local)))!;
    if (c.output === 'DROP' || c.output === 'REJECT') {
      expect(branch.endpoints).toEqual([]);
      const verdicts = branch.outcomes.map((o) =>
        o.kind === 'falls-through'
          ? /dropped by/.test(o.detail)
            ? 'DROP'
            : /rejected by/.test(o.detail)
              ? 'REJECT'
              : 'none'
          : o.kind.toUpperCase(),
      );
      expect(verdicts).toEqual([c.output]);
    } else expect(branch.endpoints.map((e) => e.to).sort()).toEqual(c.output.split(', ').sort());
  });
});
