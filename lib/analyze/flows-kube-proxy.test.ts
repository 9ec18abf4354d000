import { describe, expect, it } from 'vitest';
import type { KubeProxyOptions } from '../generate/kube-proxy-iptables';
import { kubeProxyIptablesSave, kubeProxyServices } from '../generate/kube-proxy-iptables';
import { buildSnapshot } from '../snapshot/build';
import type { Catch, DnatFlow, SnatFlow } from './flow-model';
import { snapshotFlows, type FlowsResult } from './flows';
import type { RuleRef } from './rule-ref';

/**
 * Flows of generated kube-proxy nodes, every field of every flow, against a reference reading of
 * the dump: a plain walk over its lines that knows kube-proxy's layout (KUBE-SERVICES → KUBE-SVC →
 * KUBE-SEP, KUBE-NODEPORTS → KUBE-EXT → KUBE-SVC) and computes each endpoint's kernel share with
 * bigint arithmetic from the printed probabilities. The first node is the one `npm run
 * bench:analyze` times, so its optimizations cannot change what flows says about it.
 */

interface DumpRule {
  chain: string;
  index: number;
  line: number;
  text: string;
}

/** The nat table's rules by chain, and its chains in declaration order. */
function natRules(text: string): { chains: string[]; rules: Map<string, DumpRule[]> } {
  const chains: string[] = [];
  const rules = new Map<string, DumpRule[]>();
  let inNat = false;
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('*')) inNat = line === '*nat';
    if (!inNat) return;
    if (line.startsWith(':')) {
      const name = line.slice(1).split(' ')[0]!;
      chains.push(name);
      rules.set(name, []);
    }
    if (!line.startsWith('-A ')) return;
    const chain = line.split(' ')[1]!;
    if (!rules.has(chain)) {
      chains.push(chain);
      rules.set(chain, []);
    }
    const list = rules.get(chain)!;
    list.push({ chain, index: list.length + 1, line: i + 1, text: line });
  });
  return { chains, rules };
}

const refOf = (r: DumpRule): RuleRef => ({
  source: 'iptables',
  family: 'ip',
  backend: 'nft',
  table: 'nat',
  chain: r.chain,
  index: r.index,
  line: r.line,
  handle: null,
  text: r.text,
});

const jumpOf = (r: DumpRule) => / -j (\S+)/.exec(r.text)![1]!;

function catchOf(c: Partial<Catch>): Catch {
  return {
    protocol: [],
    source: [],
    sourcePorts: [],
    destination: [],
    destinationPorts: [],
    sourceType: [],
    destinationType: [],
    inInterface: [],
    outInterface: [],
    marks: [],
    other: [],
    ...c,
  };
}

const cond = (value: string) => ({ value, negate: false });

/** Each endpoint's share as the kernel applies it: rule i takes round(p_i * 2^31) / 2^31 of what is left. */
function kernelShares(probabilities: (number | null)[]): number[] {
  const scale = 1n << 31n;
  let leftNum = 1n;
  let leftDen = 1n;
  return probabilities.map((p) => {
    const k = p === null ? scale : BigInt(Math.round(p * 2 ** 31));
    const num = leftNum * k;
    const den = leftDen * scale;
    leftNum = leftNum * (scale - k);
    leftDen = den;
    return Number(num) / Number(den);
  });
}

/** The flow of a service's entry rule, read from the chains below it. */
function referenceFlow(
  rules: Map<string, DumpRule[]>,
  way: DumpRule[],
  kind: 'ClusterIP' | 'NodePort',
  service: string,
): DnatFlow {
  const entry = way[way.length - 1]!;
  const [prerouting, output] = [rules.get('PREROUTING')![0]!, rules.get('OUTPUT')![0]!];
  const below: DumpRule[] = [];
  let svcChain = jumpOf(entry);
  const marks: DumpRule[] = [];
  if (kind === 'NodePort') {
    // KUBE-EXT: its first rule marks for masquerading, its second goes on to the service chain.
    const [mark, toSvc] = rules.get(svcChain)!;
    marks.push(mark!);
    below.push(toSvc!);
    svcChain = jumpOf(toSvc!);
  }
  const [masq, ...cascade] = rules.get(svcChain)!;
  // The service chain's `! -s clusterCIDR -d VIP --dport port` rule: only its own cluster IP's packets.
  if (kind === 'ClusterIP') marks.push(masq!);
  const shares = kernelShares(
    cascade.map((r) => {
      const p = / --probability (\S+)/.exec(r.text);
      return p ? Number(p[1]) : null;
    }),
  );
  const endpoints = cascade.map((r, i) => {
    const [hairpin, dnat] = rules.get(jumpOf(r))!;
    marks.push(hairpin!);
    const to = / --to-destination (\S+)/.exec(dnat!.text)![1]!;
    return {
      kind: 'dnat' as const,
      to,
      address: to.split(':')[0]!,
      port: to.split(':')[1]!,
      probability: { value: shares[i]!, fraction: `1/${cascade.length}` },
      chosenBy: null,
      rule: refOf(dnat!),
      via: [entry, ...below, r].map(refOf),
    };
  });
  const dport = / --dport (\d+)/.exec(entry.text)![1]!;
  const flowCatch =
    kind === 'ClusterIP'
      ? catchOf({
          protocol: [cond('tcp')],
          destination: [cond(/ -d (\S+)/.exec(entry.text)![1]!)],
          destinationPorts: [cond(dport)],
        })
      : catchOf({
          protocol: [cond('tcp')],
          destinationPorts: [cond(dport)],
          destinationType: [cond('LOCAL')],
        });
  return {
    id: `ip/nat/${entry.chain}#${entry.index}`,
    entry: refOf(entry),
    element: null,
    catch: flowCatch,
    paths: [prerouting, output].map((start) => ({
      start: start.chain,
      rules: [start, ...way].map(refOf),
      catch: flowCatch,
    })),
    owner: {
      kind: 'kube-proxy',
      mode: 'iptables',
      service,
      serviceKind: kind,
      serviceChain: svcChain,
      trafficPolicy: 'Cluster',
      sourceRanges: false,
    },
    branches: [
      {
        when: [],
        endpoints,
        outcomes: [],
        endpointSum: { value: 1, fraction: '1' },
        why: [],
        // In walk order: the service (or KUBE-EXT) chain's, then each endpoint's hairpin.
        marks: marks.map(refOf),
        affinity: null,
      },
    ],
    notes: [],
  };
}

function referenceFlows(text: string, opts: KubeProxyOptions): FlowsResult {
  const { chains, rules } = natRules(text);
  const services = rules.get('KUBE-SERVICES')!;
  const dnat: DnatFlow[] = [];
  for (const r of services) {
    const comment = / --comment "(\S+) cluster IP"/.exec(r.text);
    if (comment) dnat.push(referenceFlow(rules, [r], 'ClusterIP', comment[1]!));
  }
  // KUBE-SERVICES' last rule sends LOCAL destinations on to KUBE-NODEPORTS.
  const toNodePorts = services[services.length - 1]!;
  for (const r of rules.get('KUBE-NODEPORTS') ?? [])
    dnat.push(referenceFlow(rules, [toNodePorts, r], 'NodePort', / --comment (\S+)/.exec(r.text)![1]!));

  const post = rules.get('KUBE-POSTROUTING')!;
  const masquerade = post.find((r) => r.text.includes('-j MASQUERADE'))!;
  // Rules jumping to KUBE-MARK-MASQ, chains in declaration order (as the dump lists them).
  const jumps = chains.flatMap((c) => rules.get(c)!.filter((r) => jumpOf(r) === 'KUBE-MARK-MASQ'));
  const snat: SnatFlow = {
    id: `ip/nat/KUBE-POSTROUTING#${masquerade.index}`,
    rule: refOf(masquerade),
    translation: { kind: 'masquerade', toSource: null, toPorts: null, flags: ['random-fully'] },
    // The `! --mark 0x4000/0x4000 -j RETURN` before it leaves only marked packets.
    catch: catchOf({ marks: [cond('0x4000/0x4000')] }),
    paths: [
      {
        start: 'POSTROUTING',
        rules: [rules.get('POSTROUTING')![0]!, masquerade].map(refOf),
        catch: catchOf({}),
      },
    ],
    exempt: [
      {
        rule: refOf(post[0]!),
        verdict: 'RETURN',
        catch: catchOf({ marks: [{ value: '0x4000/0x4000', negate: true }] }),
      },
    ],
    marks: [
      {
        mark: '0x4000/0x4000',
        setBy: [refOf(rules.get('KUBE-MARK-MASQ')![0]!)],
        jumps: jumps.length,
        examples: jumps.slice(0, 3).map(refOf),
      },
    ],
    owner: 'kube-proxy',
    notes: [],
  };
  const generated = kubeProxyServices(opts);
  return {
    host: 'node',
    dnat,
    snat: [snat],
    summary: {
      services: generated.length,
      endpoints: new Set(generated.flatMap((s) => s.endpoints)).size,
      dnatFlows: dnat.length,
      snatFlows: 1,
      incomplete: 0,
    },
  };
}

describe('flows of generated kube-proxy nodes against a reference reading of their dumps', () => {
  it.each([
    ['the bench:analyze node (10,000 services x 5 endpoints)', { services: 10_000, endpointsPerService: 5 }],
    [
      'a node with NodePorts and a rollout (700 services x 3 endpoints)',
      { services: 700, endpointsPerService: 3, nodePortEvery: 7, rolloutEvery: 10 },
    ],
  ] as [string, KubeProxyOptions][])('%s', (_name, opts) => {
    const text = kubeProxyIptablesSave(opts);
    const actual = snapshotFlows(buildSnapshot([{ origin: 'node', text }], { host: 'node' }));
    const expected = referenceFlows(text, opts);
    expect(actual.dnat.map((f) => f.id)).toEqual(expected.dnat.map((f) => f.id));
    // Flow by flow, so that a difference names its flow instead of printing ten thousand.
    actual.dnat.forEach((f, i) => expect(f, f.id).toEqual(expected.dnat[i]));
    expect(actual.snat).toEqual(expected.snat);
    expect(actual.summary).toEqual(expected.summary);
    expect(actual.host).toBe(expected.host);
  });
});
