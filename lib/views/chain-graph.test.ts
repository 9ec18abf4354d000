import { describe, expect, it } from 'vitest';
import { kubeProxyIptablesSave } from '../generate/kube-proxy-iptables';
import { chainGraph } from './chain-graph';
import { graphLayout, nodeWidth } from './graph-layout';
import { fixtureSnapshot, textSnapshot } from './views.test-support';

// 10 services x 3 endpoints: KUBE-SERVICES jumps to each KUBE-SVC (one masquerade rule and three
// endpoint rules each), each KUBE-SEP has a hairpin mark rule and a DNAT rule.
const kube = textSnapshot(kubeProxyIptablesSave({ services: 10, endpointsPerService: 3, nodePortEvery: 0 }));
const nat = kube.index.tableByKey.get('ipt:ip/nat')!;
const edgeList = (g: ReturnType<typeof chainGraph>) =>
  g.edges.map((e) => `${e.from} -> ${e.to} ${e.jumps}${e.gotos ? `+${e.gotos}g` : ''}`).sort();

describe('chainGraph', () => {
  it('folds the KUBE-SVC and KUBE-SEP families of a kube-proxy nat table into groups', () => {
    const g = chainGraph(nat);
    expect(g.nodes.map((n) => `${n.label} ${n.rules}/${n.members}`)).toEqual([
      'PREROUTING 1/1',
      'INPUT 0/1',
      'OUTPUT 1/1',
      'POSTROUTING 1/1',
      'KUBE-SERVICES 11/1',
      'KUBE-POSTROUTING 3/1',
      'KUBE-SVC-* 40/10',
      'KUBE-NODEPORTS 0/1',
      'KUBE-MARK-MASQ 1/1',
      'KUBE-SEP-* 60/30',
    ]);
    expect(edgeList(g)).toEqual([
      'c:KUBE-SERVICES -> c:KUBE-NODEPORTS 1',
      'c:KUBE-SERVICES -> g:KUBE-SVC- 10',
      'c:OUTPUT -> c:KUBE-SERVICES 1',
      'c:POSTROUTING -> c:KUBE-POSTROUTING 1',
      'c:PREROUTING -> c:KUBE-SERVICES 1',
      'g:KUBE-SEP- -> c:KUBE-MARK-MASQ 30',
      'g:KUBE-SVC- -> c:KUBE-MARK-MASQ 10',
      'g:KUBE-SVC- -> g:KUBE-SEP- 30',
    ]);
    expect(g.missingTargets).toEqual([]);
  });

  it('shows a focused chain with its callers and targets, the rest of the family still folded', () => {
    const svc = nat.chains.find((c) => c.name.startsWith('KUBE-SVC-'))!;
    const seps = svc.rules
      .flatMap((r) => r.targets.map((t) => t.chain))
      .filter((c) => c.startsWith('KUBE-SEP-'));
    const g = chainGraph(nat, { focus: svc.name });
    const svcGroup = g.nodes.find((n) => n.id === 'g:KUBE-SVC-')!;
    expect(svcGroup.members).toBe(9);
    expect(g.nodes.find((n) => n.id === 'g:KUBE-SEP-')!.members).toBe(27);
    for (const sep of seps)
      expect(g.edges).toContainEqual(
        expect.objectContaining({ from: `c:${svc.name}`, to: `c:${sep}`, jumps: 1 }),
      );
    expect(g.edges).toContainEqual(
      expect.objectContaining({ from: 'c:KUBE-SERVICES', to: `c:${svc.name}`, jumps: 1 }),
    );
    expect(g.edges).toContainEqual(
      expect.objectContaining({ from: 'c:KUBE-SERVICES', to: 'g:KUBE-SVC-', jumps: 9 }),
    );
  });

  it('expands a family to its first chains in the order packets reach them', () => {
    const g = chainGraph(nat, { expand: ['KUBE-SVC-'], expandLimit: 4 });
    const shown = g.nodes.filter((n) => n.family === 'KUBE-SVC-' && n.kind === 'chain').map((n) => n.label);
    const order = nat.chainByName.get('KUBE-SERVICES')!.rules.flatMap((r) => r.targets.map((t) => t.chain));
    expect(shown).toEqual(order.slice(0, 4));
    expect(g.nodes.find((n) => n.id === 'g:KUBE-SVC-')).toMatchObject({ members: 6, familySize: 10 });
    expect(g.expanded).toEqual(['KUBE-SVC-']);
  });

  it('leaves small families unfolded and follows nft verdict maps', () => {
    const { index } = fixtureSnapshot('nftables/__fixtures__/native-features.nft.json');
    const g = chainGraph(index.tableByKey.get('nft:inet/plcap')!);
    expect(g.nodes.every((n) => n.kind === 'chain')).toBe(true);
    expect(edgeList(g)).toEqual(['c:nat_prerouting -> c:web 2+1g']);
    expect(g.edges[0]!.viaMap).toBe(true);
  });
});

describe('graphLayout', () => {
  it('places every chain one column right of its furthest caller', () => {
    const g = chainGraph(nat);
    const layout = graphLayout(g.nodes, g.edges);
    const x = (id: string) => layout.nodes.find((n) => n.node.id === id)!.x;
    expect(x('c:PREROUTING')).toBe(x('c:OUTPUT'));
    expect(x('c:KUBE-SERVICES')).toBeGreaterThan(x('c:PREROUTING'));
    expect(x('g:KUBE-SVC-')).toBeGreaterThan(x('c:KUBE-SERVICES'));
    // KUBE-MARK-MASQ is reached from the SEP group, the deepest caller.
    expect(x('c:KUBE-MARK-MASQ')).toBeGreaterThan(x('g:KUBE-SEP-'));
    expect(layout.edges).toHaveLength(g.edges.length);
    expect(layout.width).toBeGreaterThanOrEqual(x('c:KUBE-MARK-MASQ') + nodeWidth);
  });
});
