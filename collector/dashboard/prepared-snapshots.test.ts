import { describe, expect, it } from 'vitest';
import { kubeProxyIptablesSave } from '../../lib/generate/kube-proxy-iptables';
import { buildSnapshot } from '../../lib/snapshot/build';
import { snapshotStats } from '../../lib/snapshot/stats';
import { preparedCache, preparedSnapshot } from './prepared-snapshots';

const snap = (services: number) =>
  buildSnapshot([{ origin: 'dump', text: kubeProxyIptablesSave({ services, endpointsPerService: 2 }) }], {
    host: `h${services}`,
  });

describe('prepared snapshots', () => {
  it('keeps the most recently used snapshots within the rule budget, loading each once', () => {
    const rules = snapshotStats(snap(5)).rules.total;
    // Room for two of them, not three.
    const cache = preparedCache(Math.floor(rules * 2.5), 8);
    let loads = 0;
    const load = (n: number) => () => {
      loads++;
      return snap(n);
    };
    cache.get('a', load(5));
    cache.get('b', load(5));
    expect(loads).toBe(2);
    cache.get('a', load(5)); // a is now the most recent
    expect(loads).toBe(2);
    cache.get('c', load(5)); // over the budget: b, the least recent, goes
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.get('d', () => null)).toBeNull();
  });

  it('builds its indexes step by step when warmed', () => {
    const prepared = preparedSnapshot(snap(3));
    const steps = [...prepared.warm()].length;
    // The host's index, its search index, then one graph per table (filter and nat).
    expect(steps).toBe(4);
    expect(prepared.view(null)!.search().docs.length).toBe(
      prepared
        .view(null)!
        .index.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0),
    );
  });
});
