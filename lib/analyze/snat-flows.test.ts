import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../iptables/parse-save';
import { corpusDir } from '../testing/corpus.test-support';
import { SnatFlow } from './flow-model';
import { iptSnatFlows } from './snat-flows';

function flowsOf(file: string): SnatFlow[] {
  return iptSnatFlows(parseIptablesSave(readFileSync(file, 'utf8'), { file })).map((f) => SnatFlow.parse(f));
}

describe('iptables SNAT and MASQUERADE flows, expected values read from the dumps', () => {
  it('kube-proxy: masquerade what carries 0x4000, set by KUBE-MARK-MASQ, which 15 rules jump to', () => {
    // 67: -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
    // 68: -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
    // 69: -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
    // 70: -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
    // Jumps to KUBE-MARK-MASQ: lines 56, 59, 61, 63, 71, 73, 75, 77, 79, 81, 83, 86, 88, 91, 93.
    const [f, ...rest] = flowsOf(path.join(corpusDir, 'kubernetes/kubeproxy-iptables-overall.iptables'));
    expect(rest).toEqual([]);
    expect(f!.rule.line).toBe(70);
    expect(f!.owner).toBe('kube-proxy');
    expect(f!.translation).toEqual({ kind: 'masquerade', toSource: null, toPorts: null, flags: [] });
    expect(f!.exempt.map((e) => [e.verdict, e.rule.line])).toEqual([['RETURN', 68]]);
    expect(f!.catch.marks).toEqual([{ value: '0x4000/0x4000', negate: false }]);
    expect(f!.marks).toHaveLength(1);
    expect(f!.marks[0]!.setBy.map((r) => r.line)).toEqual([67]);
    expect(f!.marks[0]!.jumps).toBe(15);
    expect(f!.marks[0]!.examples.map((r) => r.line)).toEqual([56, 59, 61]);
  });

  it('CNI bridge (captured): the pod masquerades except inside its subnet; host ports by mark 0x2000', () => {
    // 28: -A POSTROUTING -s 198.18.64.2/32 ... -j CNI-3954f9866efbfa532604c3fb
    // 29: -A CNI-3954f9866efbfa532604c3fb -d 198.18.64.0/24 ... -j ACCEPT
    // 30: -A CNI-3954f9866efbfa532604c3fb ! -d 224.0.0.0/4 ... -j MASQUERADE
    // 35: -A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE
    // 36: -A CNI-HOSTPORT-SETMARK ... -j MARK --set-xmark 0x2000/0x2000, jumped to from lines 31 and 32
    const flows = flowsOf(
      path.resolve(__dirname, '../iptables/__fixtures__/cni-bridge-portmap.iptables-save'),
    );
    const pod = flows.find((f) => f.rule.line === 30)!;
    expect(pod.owner).toBe('cni');
    expect(pod.exempt.map((e) => [e.verdict, e.rule.line])).toEqual([['ACCEPT', 29]]);
    expect(pod.catch.source).toEqual([{ value: '198.18.64.2/32', negate: false }]);
    expect(pod.catch.destination).toEqual([
      { value: '224.0.0.0/4', negate: true },
      { value: '198.18.64.0/24', negate: true },
    ]);
    const hostPort = flows.find((f) => f.rule.line === 35)!;
    expect(
      hostPort.marks.map((m) => [m.mark, m.setBy.map((r) => r.line), m.jumps, m.examples.map((r) => r.line)]),
    ).toEqual([['0x2000/0x2000', [36], 2, [31, 32]]]);
  });

  it('Docker with SNAT instead of MASQUERADE (moby golden file)', () => {
    // -A POSTROUTING -s 192.168.0.0/24 ! -o br-dummy -j SNAT --to-source 192.168.123.0
    const [f] = flowsOf(path.join(corpusDir, 'docker/moby-bridge-portmap-noicc-snat.iptables'));
    expect(f!.translation).toEqual({ kind: 'snat', toSource: '192.168.123.0', toPorts: null, flags: [] });
    expect(f!.catch).toMatchObject({
      source: [{ value: '192.168.0.0/24', negate: false }],
      outInterface: [{ value: 'br-dummy', negate: true }],
    });
  });
});
