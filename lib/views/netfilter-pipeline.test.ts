import { describe, expect, it } from 'vitest';
import { netfilterPipeline, pipelineTies } from './netfilter-pipeline';
import { fixtureSnapshot } from './views.test-support';

// Expected values read from the fixtures by hand (native-features.nft and the iptables dump).
const brief = (p: ReturnType<typeof netfilterPipeline>) =>
  Object.fromEntries(
    p.hooks.map((h) => [
      h.hook,
      h.entries.map((e) => `${e.family} ${e.tableName} ${e.chain} ${e.priorityText} ${e.rules}`),
    ]),
  );

describe('netfilterPipeline', () => {
  it('orders native nft base chains by priority at each hook, inet in both families', () => {
    const { index } = fixtureSnapshot('nftables/__fixtures__/native-features.nft.json');
    const ip = netfilterPipeline(index, 'ip');
    expect(brief(ip)).toEqual({
      prerouting: [
        'inet plcap raw_prerouting raw - 5 2',
        'inet plcap mangle_prerouting mangle 7',
        'inet plcap nat_prerouting dstnat 5',
      ],
      input: ['inet plcap input filter 17'],
      forward: ['inet plcap forward filter 4'],
      // dstnat is named only on prerouting: on output nft prints -100.
      output: ['ip plcap4 output_nat -100 2', 'ip plcap4 filter_out security 3'],
      postrouting: ['inet plcap nat_postrouting srcnat + 5 4'],
    });
    expect(ip.other.map((e) => `${e.family} ${e.tableName} ${e.chain} ${e.hook} ${e.priorityText}`)).toEqual([
      'arp plcap_arp in input filter',
      'bridge plcap_br forward_br forward filter',
      'bridge plcap_br pre_br prerouting dstnat',
      'netdev plcap_ingress ingress ingress filter + 10',
    ]);

    const ip6 = netfilterPipeline(index, 'ip6');
    expect(brief(ip6).input).toEqual(['ip6 plcap6 in mangle 3', 'inet plcap input filter 17']);
    expect(brief(ip6).output).toEqual([]);
  });

  it('puts iptables tables at their fixed priorities, nat on four hooks', () => {
    const { index } = fixtureSnapshot('iptables/__fixtures__/cni-bridge-portmap.iptables-save');
    const p = netfilterPipeline(index, 'ip');
    expect(brief(p)).toEqual({
      prerouting: ['ip nat PREROUTING dstnat 1'],
      input: ['ip filter INPUT filter 0', 'ip nat INPUT 100 0'],
      forward: ['ip filter FORWARD filter 1'],
      output: ['ip nat OUTPUT -100 1', 'ip filter OUTPUT filter 0'],
      postrouting: ['ip nat POSTROUTING srcnat 2'],
    });
    expect(p.hooks[0]!.entries[0]).toMatchObject({
      engine: 'iptables',
      table: 'ipt:ip/nat',
      policy: 'ACCEPT',
    });
  });

  it('tells the backends apart when a host has rules in both, and marks equal priorities', () => {
    const { index } = fixtureSnapshot(
      'iptables/__fixtures__/both-backends.nft.iptables-save',
      'iptables/__fixtures__/both-backends.legacy.iptables-save',
    );
    const input = netfilterPipeline(index, 'ip').hooks.find((h) => h.hook === 'input')!.entries;
    const filters = input.filter((e) => e.tableName === 'filter');
    expect(filters.map((e) => `${e.table} ${e.backend}`)).toEqual([
      'ipt:ip/filter nft',
      'ipt:ip/filter@legacy legacy',
    ]);
    expect(pipelineTies(input).size).toBeGreaterThanOrEqual(2);
  });
});
