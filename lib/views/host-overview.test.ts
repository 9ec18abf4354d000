import { describe, expect, it } from 'vitest';
import { snapshotStats } from '../snapshot/stats';
import { hostOverview } from './host-overview';
import { fixtureSnapshot } from './views.test-support';

describe('hostOverview', () => {
  it('counts each rule once when iptables-nft shows it in both the iptables and the nft view', () => {
    const { snap, index } = fixtureSnapshot(
      'nftables/__fixtures__/iptables-nft-compat.iptables-save',
      'nftables/__fixtures__/iptables-nft-compat.nft.json',
    );
    const overview = hostOverview({ host: 'fixture', pod: null, snapshot: null }, snap, snap, index);
    const stats = snapshotStats(snap);
    expect(overview.rules).toBe(stats.rules.total);
    expect(overview.chains).toBe(stats.chains);
    expect(overview.tables.every((t) => t.engine === 'iptables')).toBe(true);
  });

  it('says rules were not collected rather than zero for a namespace without netfilter output', () => {
    const { snap, index } = fixtureSnapshot('iproute/__fixtures__/ip-route.json');
    const overview = hostOverview({ host: 'fixture', pod: null, snapshot: null }, snap, snap, index);
    expect(overview.rules).toBeNull();
    expect(overview.routesTotal).toBe(snap.routes.length);
  });
});
