import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../iptables/parse-save';
import { iptMarkScan } from './ipt-mark-scan';

const where = (r: { chain: { name: string }; rule: { index: number } }) => `${r.chain.name}#${r.rule.index}`;

describe('iptMarkScan', () => {
  it('counts jumps to each MARK chain from chains before and after it, the first ones in table order', () => {
    // Chains in the order the dump declares them: A jumps to MASQ before MASQ is read, C after it;
    // LATE holds a MARK rule and is only jumped to from chains before it.
    const dump = parseIptablesSave(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':A - [0:0]',
        ':MASQ - [0:0]',
        ':C - [0:0]',
        ':LATE - [0:0]',
        '-A PREROUTING -j A',
        '-A PREROUTING -j LATE',
        '-A A -s 10.0.0.1/32 -j MASQ',
        '-A A -j C',
        '-A A -s 10.0.0.2/32 -j MASQ',
        '-A MASQ -j MARK --set-xmark 0x4000/0x4000',
        '-A C -j MASQ',
        '-A C -j LATE',
        '-A C -j MASQ',
        '-A LATE -j MARK --set-xmark 0x1/0x1',
        '-A LATE -j MARK --set-xmark 0x2/0x2',
        'COMMIT',
        '',
      ].join('\n'),
      { file: 'marks' },
    );
    const scan = iptMarkScan(dump.tables[0]!, 3);
    expect(scan.marks.map(where)).toEqual(['MASQ#1', 'LATE#1', 'LATE#2']);
    const masq = scan.jumps.get('MASQ')!;
    expect([masq.count, masq.first.map(where)]).toEqual([4, ['A#1', 'A#3', 'C#1']]);
    const late = scan.jumps.get('LATE')!;
    expect([late.count, late.first.map(where)]).toEqual([2, ['PREROUTING#2', 'C#2']]);
    expect([...scan.jumps.keys()]).toEqual(['MASQ', 'LATE']);
  });

  it('lists nothing for a table without MARK rules', () => {
    const dump = parseIptablesSave(
      '*nat\n:PREROUTING ACCEPT [0:0]\n:A - [0:0]\n-A PREROUTING -j A\nCOMMIT\n',
      {
        file: 'none',
      },
    );
    expect(iptMarkScan(dump.tables[0]!, 3)).toEqual({ marks: [], jumps: new Map() });
  });
});
