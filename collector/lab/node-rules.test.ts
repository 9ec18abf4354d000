import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../../lib/iptables/parse-save';
import { dockerIptablesRestore } from './docker-rules';
import { legacyIptablesRestore } from './legacy-rules';
import { workloadPlan } from './workload-plan';

const chainRules = (text: string, table: string, chain: string) =>
  parseIptablesSave(text, { file: 'payload' })
    .tables.find((t) => t.name === table)
    ?.chains.find((c) => c.name === chain)
    ?.rules.map((r) => r.text) ?? [];

describe('dockerIptablesRestore', () => {
  const text = dockerIptablesRestore(workloadPlan(['node-1', 'node-2', 'node-3']).docker);

  it('DNATs the published port from local destinations and masquerades the bridge subnet', () => {
    expect(chainRules(text, 'nat', 'PREROUTING')).toEqual([
      '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    ]);
    expect(chainRules(text, 'nat', 'DOCKER')).toEqual([
      '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8081 -j DNAT --to-destination 172.17.0.2:80',
    ]);
    expect(chainRules(text, 'nat', 'POSTROUTING')).toEqual([
      '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
    ]);
  });

  it('leaves the built-in chains undeclared, so --noflush keeps their policies', () => {
    expect(text).not.toMatch(/^:(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) /m);
  });
});

describe('legacyIptablesRestore', () => {
  it('is a filter and a mangle table for iptables-legacy-restore', () => {
    const text = legacyIptablesRestore('198.18.0.0/24');
    expect(chainRules(text, 'filter', 'INPUT')).toEqual(['-A INPUT -j HOST-FIREWALL']);
    expect(chainRules(text, 'filter', 'HOST-FIREWALL')[0]).toContain(
      '-s 198.18.0.0/24 -p tcp -m tcp --dport 9100',
    );
    expect(chainRules(text, 'mangle', 'POSTROUTING')).toHaveLength(1);
  });
});
