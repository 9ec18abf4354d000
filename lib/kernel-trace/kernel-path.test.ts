import { describe, expect, it } from 'vitest';
import { kernelPath } from './kernel-path';
import { kernelPathLines } from './kernel-path-text';
import type { KernelHop, KernelTrace } from './kernel-path-types';
import { KernelTrace as KernelTraceSchema } from './kernel-path-types';
import type { Fixture } from './kernel-trace.test-support';
import { fixtureEvents, fixtureIndex, fixtureLoad, fixtureNames } from './kernel-trace.test-support';
import type { TraceEvent } from './trace-event';

function traceOf(f: Fixture, events: TraceEvent[] = fixtureEvents(f)): KernelTrace {
  return kernelPath(events, f.probe, fixtureIndex(f));
}

function hop(t: KernelTrace['forward'], netns: string): KernelHop {
  const h = t.hops.find((x) => x.netns === netns);
  if (!h) throw new Error(`no hop in ${netns}: ${kernelPathLines(t).join('\n')}`);
  return h;
}

function goldenText(f: Fixture, t: KernelTrace): string {
  return [
    `# ${f.scenario}: ${f.label} (probe outcome: ${f.outcome.outcome})`,
    ...kernelPathLines(t.forward),
    ...kernelPathLines(t.reply),
    ...t.notes.map((n) => `capture note: ${n}`),
    '',
  ].join('\n');
}

describe('kernelPath on every captured fixture', () => {
  for (const name of fixtureNames()) {
    it(`${name}: matches its golden path and the schema`, async () => {
      const f = fixtureLoad(name);
      const t = traceOf(f);
      expect(KernelTraceSchema.safeParse(t).success).toBe(true);
      expect(t.unreadLines).toEqual([]);
      await expect(goldenText(f, t)).toMatchFileSnapshot(`__fixtures__/golden/${name}.path.txt`);
    });

    it(`${name}: does not depend on the order of the namespaces`, () => {
      const f = fixtureLoad(name);
      const reversed = { ...f, namespaces: [...f.namespaces].reverse() };
      const a = traceOf(f);
      const b = traceOf(reversed);
      expect(kernelPathLines(b.forward)).toEqual(kernelPathLines(a.forward));
      expect(kernelPathLines(b.reply)).toEqual(kernelPathLines(a.reply));
    });

    it(`${name}: starts where the probe was sent and agrees with what the sender saw`, () => {
      const f = fixtureLoad(name);
      const t = traceOf(f);
      expect(t.forward.hops[0]).toMatchObject({ netns: f.probe.from, entry: 'originated' });
      const answered = ['connected', 'answered', 'refused'].includes(f.outcome.outcome);
      expect(t.reply.disposition === 'delivered' && t.reply.final?.netns === f.probe.from).toBe(answered);
    });
  }
});

describe('kernelPath decisions', () => {
  it('names the rule that dropped a forwarded packet, with the chains entered', () => {
    const t = traceOf(fixtureLoad('forward-drop-nft.1'));
    expect(t.forward.disposition).toBe('dropped');
    const r = hop(t.forward, 'r');
    expect(r).toMatchObject({ end: 'dropped', hooks: ['prerouting', 'forward'] });
    expect(
      r.visits.map((v) => [v.hook, v.table, v.chains, v.verdict, v.decidedBy?.ruleText, v.decidedBy?.handle]),
    ).toEqual([
      [
        'forward',
        'filter',
        ['FORWARD', 'PL-FWD'],
        'drop',
        'tcp dport 8081 counter packets 0 bytes 0 drop',
        5,
      ],
    ]);
    expect(t.reply.disposition).toBe('not-seen');
  });

  it('follows the first SYN when the sender retransmitted it (each retransmission has its own IP id)', () => {
    const f = fixtureLoad('forward-drop-nft.1');
    const sent = f.namespaces
      .find((n) => n.netns === 'c')!
      .lines.filter((l) => / out_first packet: .* tcp sport 61001 /.test(l));
    expect(sent.length).toBeGreaterThan(1);
    const t = traceOf(f);
    expect(t.forward.hops.map((h) => h.netns)).toEqual(['c', 'r']);
    const [c, r] = t.forward.hops;
    expect(r!.packetIn.ipId).toBe(c!.packetIn.ipId);
    expect(sent[0]).toContain(` ip id ${c!.packetIn.ipId} `);
  });

  it('tells a policy drop from a rule drop', () => {
    const r = hop(traceOf(fixtureLoad('forward-drop-nft.3')).forward, 'r');
    expect(r.end).toBe('dropped');
    expect(r.visits.at(-1)).toMatchObject({
      chain: 'FORWARD',
      verdict: 'drop',
      byPolicy: true,
      decidedBy: null,
    });
  });

  it('keeps a rule nft could not look up by its handle', () => {
    const t = traceOf(fixtureLoad('forward-drop-nft.rule-added-during-capture'));
    const r = hop(t.forward, 'r');
    expect(r.end).toBe('dropped');
    expect(r.visits.at(-1)?.decidedBy).toEqual({
      chain: 'PL-FWD',
      ruleText: null,
      handle: expect.any(Number),
    });
  });

  it('says a packet dropped by an iptables-legacy rule vanished inside forward, with no rule to name', () => {
    const r = hop(traceOf(fixtureLoad('forward-drop-legacy.1')).forward, 'r');
    expect(r).toMatchObject({ end: 'vanished', visits: [], hooks: ['prerouting', 'forward'] });
    expect(r.endReason).toContain('entered forward and never left it');
  });

  it('keeps a REJECT apart from the reset it sends, though the reset is printed first', () => {
    const f = fixtureLoad('input-reject.1');
    const lines = f.namespaces.find((n) => n.netns === 's')!.lines;
    const reset = lines.findIndex((l) => /out_first packet: .* tcp sport 2222 tcp dport 61011 /.test(l));
    const reject = lines.findIndex((l) => / ip filter INPUT rule .*reject with tcp reset/.test(l));
    expect(reset).toBeGreaterThan(-1);
    expect(reset).toBeLessThan(reject);
    const t = traceOf(f);
    expect(hop(t.forward, 's')).toMatchObject({ end: 'rejected' });
    expect(t.reply.hops.map((h) => [h.netns, h.entry, h.end])).toEqual([
      ['s', 'originated', 'left'],
      ['c', 'received', 'delivered'],
    ]);
    expect(t.reply.hops[0]!.packetIn).toMatchObject({ sport: 2222, dport: 61011, tcpFlags: '0x14' });
  });

  it('finds the ICMP error answering a UDP probe by its destination', () => {
    const t = traceOf(fixtureLoad('input-reject.3'));
    expect(t.forward.disposition).toBe('rejected');
    expect(t.reply.hops[0]!.packetIn).toMatchObject({
      l3: 'ip6',
      icmpType: 'destination-unreachable',
      daddr: 'fd77:1::2',
    });
  });

  it('shows DNAT and MASQUERADE with the rules that did them, and conntrack undoing them on the reply', () => {
    const t = traceOf(fixtureLoad('dnat-masquerade.1'));
    const r = hop(t.forward, 'r');
    expect(r.changes.map((c) => [c.field, c.from, c.to, c.hook, c.by?.chain ?? null])).toEqual([
      ['daddr', '10.77.1.1', '10.77.2.2', 'prerouting', 'PREROUTING'],
      ['dport', '80', '8080', 'prerouting', 'PREROUTING'],
      ['saddr', '10.77.1.2', '10.77.2.1', 'postrouting', 'POSTROUTING'],
    ]);
    expect(r.visits.filter((v) => v.nat !== null).map((v) => [v.hook, v.nat])).toEqual([
      ['prerouting', 'dnat'],
      ['postrouting', 'masquerade'],
    ]);
    expect(t.forward.final).toMatchObject({
      netns: 'b',
      packet: { saddr: '10.77.2.1', daddr: '10.77.2.2', dport: 8080 },
    });
    expect(t.reply.final).toMatchObject({
      netns: 'c',
      packet: { saddr: '10.77.1.1', sport: 80, daddr: '10.77.1.2' },
    });
    expect(hop(t.reply, 'r').changes.every((c) => c.by === null)).toBe(true);
  });

  it('shows the reroute of a locally generated packet after OUTPUT DNAT', () => {
    const t = traceOf(fixtureLoad('output-dnat.1'));
    const h = hop(t.forward, 'h');
    expect(h).toMatchObject({ entry: 'originated', end: 'left', oif: 's0' });
    expect(h.changes.find((c) => c.field === 'oif')).toMatchObject({ from: 'a0', to: 's0' });
    expect(t.forward.hops.map((x) => x.netns)).toEqual(['h', 's']);
  });

  it('shows the mark that chose the routing table', () => {
    const t = traceOf(fixtureLoad('fwmark-routing.1'));
    const r = hop(t.forward, 'r');
    expect(r.visits.find((v) => v.table === 'mangle')).toMatchObject({
      markAtEnd: 1,
      verdict: 'accept',
      byPolicy: true,
    });
    expect(r.oif).toBe('b0');
    expect(t.forward.final?.netns).toBe('s2');
  });

  for (const [name, endpointChain] of [
    ['kube-proxy-iptables.1', /^KUBE-SEP-/],
    ['kube-proxy-nftables.1', /^endpoint-/],
  ] as const) {
    it(`${name}: the endpoint chain entered is the one whose DNAT the packet arrived with`, () => {
      const f = fixtureLoad(name);
      const t = traceOf(f);
      const dnat = hop(t.forward, 'n').visits.find((v) => v.nat === 'dnat')!;
      expect(dnat.decidedBy!.chain).toMatch(endpointChain);
      const target = /dnat to (\S+):(\d+)/.exec(dnat.decidedBy!.ruleText!)!;
      expect(t.forward.final).toMatchObject({ packet: { daddr: target[1], dport: Number(target[2]) } });
      expect(t.forward.final!.netns).toBe(f.outcome.answer);
    });
  }

  for (const name of ['kube-proxy-nodeport-iptables.1', 'kube-proxy-nodeport-nftables.1']) {
    it(`${name}: follows a NodePort probe whose source port \`masquerade fully-random\` rewrote`, () => {
      const f = fixtureLoad(name);
      const t = traceOf(f);
      const n = hop(t.forward, 'n');
      const sport = n.changes.find((c) => c.field === 'sport')!;
      expect(sport).toMatchObject({
        from: String(f.probe.sport),
        hook: 'postrouting',
        by: { ruleText: expect.stringContaining('masquerade') },
      });
      expect(t.forward.disposition).toBe('delivered');
      expect(t.forward.final!.packet.sport).toBe(Number(sport.to));
      expect(t.forward.final!.netns).toBe(f.outcome.answer);
      expect(t.reply.final).toMatchObject({
        netns: 'p',
        packet: { sport: f.probe.dport, dport: f.probe.sport },
      });
    });
  }
});

describe('kernelPath when the trace is incomplete', () => {
  it('ties a visit to its packet by IP id and ports when the kernel gave it another trace id', () => {
    const f = fixtureLoad('dnat-masquerade.1');
    const events = fixtureEvents(f);
    const first = events.find((e) => e.netns === 'r' && e.chain === 'pre_last' && e.packet?.sport === 61021)!;
    // Every line of r after the probe's prerouting gets another id, as after a new skb.
    const renamed = events.map((e) =>
      e.netns === 'r' && e.line > first.line && e.traceId === first.traceId
        ? { ...e, traceId: 'ffffffff' }
        : e,
    );
    expect(kernelPathLines(traceOf(f, renamed).forward)).toEqual(kernelPathLines(traceOf(f).forward));
  });

  it('says so when the sender was not traced, and still follows the packet', () => {
    const f = fixtureLoad('forward-drop-nft.2');
    const t = traceOf(
      f,
      fixtureEvents(f).filter((e) => e.netns !== 'c'),
    );
    expect(t.forward.notes).toContain(
      'the sender c did not trace the probe leaving: the first packet of each namespace is taken',
    );
    expect(t.forward.hops.map((h) => h.netns)).toEqual(['r', 's']);
    expect(t.forward.disposition).toBe('delivered');
  });

  it('names chains that are not base chains in the ruleset it was given', () => {
    const f = fixtureLoad('forward-drop-nft.1');
    const t = kernelPath(fixtureEvents(f), f.probe, { ...fixtureIndex(f), r: [] });
    expect(t.forward.notes).toContain(
      "r: ip filter FORWARD is not a base chain in the namespace's ruleset: hook unknown",
    );
    expect(hop(t.forward, 'r').visits[0]!.hook).toBeNull();
  });

  it('finds nothing for a probe that was never sent', () => {
    const f = fixtureLoad('forward-drop-nft.1');
    const t = kernelPath(fixtureEvents(f), { ...f.probe, sport: 61999 }, fixtureIndex(f));
    expect([t.forward.disposition, t.reply.disposition, t.forward.final]).toEqual([
      'not-seen',
      'not-seen',
      null,
    ]);
  });
});
