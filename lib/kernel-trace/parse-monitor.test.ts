import { describe, expect, it } from 'vitest';
import { fixtureEvents, fixtureLoad, fixtureNames } from './kernel-trace.test-support';
import { parseMonitorLine, parseMonitorOutput, parseTracePacket } from './parse-monitor';
import { TraceEvent } from './trace-event';

describe('parseMonitorLine on lines nft 1.0.6 printed on this machine', () => {
  it('reads a forwarded packet with both interfaces', () => {
    const e = parseMonitorLine(
      'r',
      7,
      'trace id e1be156e inet packetlens_trace_1 fwd_first packet: iif "ra" oif "rb" ether saddr 02:07:30:ab:c8:a5 ether daddr 72:fe:be:63:2b:0e ip saddr 10.0.1.2 ip daddr 10.0.2.2 ip dscp cs0 ip ecn not-ect ip ttl 63 ip id 14071 ip protocol tcp ip length 60 tcp sport 61001 tcp dport 80 tcp flags == syn tcp window 64240 ',
    );
    expect(e).toMatchObject({
      netns: 'r',
      line: 7,
      kind: 'packet',
      traceId: 'e1be156e',
      family: 'inet',
      table: 'packetlens_trace_1',
      chain: 'fwd_first',
      ruleText: null,
      verdict: null,
      reason: null,
    });
    expect(e.packet).toEqual({
      iif: 'ra',
      oif: 'rb',
      l3: 'ip',
      saddr: '10.0.1.2',
      daddr: '10.0.2.2',
      ttl: 63,
      ipId: 14071,
      l4proto: 'tcp',
      sport: 61001,
      dport: 80,
      tcpFlags: 'syn',
      icmpType: null,
      icmpCode: null,
      icmpId: null,
      icmpSeq: null,
      ctState: null,
      ctDirection: null,
      ctStatus: null,
      ctId: null,
      text: 'iif "ra" oif "rb" ether saddr 02:07:30:ab:c8:a5 ether daddr 72:fe:be:63:2b:0e ip saddr 10.0.1.2 ip daddr 10.0.2.2 ip dscp cs0 ip ecn not-ect ip ttl 63 ip id 14071 ip protocol tcp ip length 60 tcp sport 61001 tcp dport 80 tcp flags == syn tcp window 64240',
    });
  });

  it('takes the protocol from the transport header where an ip-family table leaves `ip protocol` out', () => {
    const p = parseTracePacket(
      'iif "eth0" ether saddr 66:e2:e7:a7:c1:13 ether daddr da:73:60:d6:5f:39 ip saddr 10.77.1.2 ip daddr 10.77.1.1 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 62393 ip length 60 tcp sport 61011 tcp dport 2222 tcp flags == syn tcp window 64240',
    );
    expect([p.l4proto, p.sport, p.dport, p.oif]).toEqual(['tcp', 61011, 2222, null]);
  });

  it('reads an ICMP echo and splits nft 1.0.6 `icmpv6 parameter-problem` into id and sequence', () => {
    const v4 = parseTracePacket(
      'iif "ra" ip saddr 10.0.1.2 ip daddr 10.0.2.2 ip ttl 64 ip id 585 ip protocol icmp ip length 38 icmp type echo-request icmp code net-unreachable icmp id 4242 icmp sequence 1 @th,64,80 0x7061636b65746c656e73',
    );
    expect([v4.l4proto, v4.icmpType, v4.icmpCode, v4.icmpId, v4.icmpSeq]).toEqual([
      'icmp',
      'echo-request',
      'net-unreachable',
      4242,
      1,
    ]);
    const v6 = parseTracePacket(
      'oif "eth0" ip6 saddr fd77:1::2 ip6 daddr fd77:2::2 ip6 dscp cs0 ip6 ecn not-ect ip6 hoplimit 64 ip6 flowlabel 226028 ip6 nexthdr ipv6-icmp ip6 length 18 icmpv6 type echo-request icmpv6 code no-route icmpv6 parameter-problem 4000448513 @th,64,80 0x7061636b65746c656e73',
    );
    expect([v6.l3, v6.saddr, v6.ttl, v6.ipId, v6.l4proto, v6.icmpType, v6.icmpId, v6.icmpSeq]).toEqual([
      'ip6',
      'fd77:1::2',
      64,
      null,
      'ipv6-icmp',
      'echo-request',
      61042,
      1,
    ]);
  });

  it('reads conntrack statements where a newer nft prints them (nft 1.0.6 here prints none)', () => {
    const p = parseTracePacket(
      'iif "eth0" ip saddr 10.0.1.2 ip daddr 10.0.2.2 ip ttl 64 ip id 1 ip protocol tcp tcp sport 61001 tcp dport 80 ct direction original ct state new ct status dnat ct id 2733129734',
    );
    expect([p.ctDirection, p.ctState, p.ctStatus, p.ctId]).toEqual(['original', 'new', 'dnat', 2733129734]);
  });

  it('reads a rule with its handle and a jump verdict', () => {
    expect(
      parseMonitorLine(
        'r',
        1,
        'trace id 59660b15 ip filter FORWARD rule counter packets 0 bytes 0 jump FW-CHK # handle 7 (verdict jump FW-CHK)',
      ),
    ).toMatchObject({
      kind: 'rule',
      chain: 'FORWARD',
      ruleText: 'counter packets 0 bytes 0 jump FW-CHK',
      handle: 7,
      verdict: 'jump FW-CHK',
      jumpTarget: 'FW-CHK',
    });
  });

  it('reads a vmap goto whose rule text holds braces and colons', () => {
    const e = parseMonitorLine(
      'n',
      1,
      'trace id 6d333627 ip kube-proxy service-SUSTUHLJ-default/web/tcp/http rule numgen random mod 3 vmap { 0 : goto endpoint-WFWFBRKW-default/web/tcp/http__10.77.11.2/8080, 1 : goto endpoint-AT3LJKCB-default/web/tcp/http__10.77.12.2/8080, 2 : goto endpoint-F5USKUJ2-default/web/tcp/http__10.77.13.2/8080 } # handle 53 (verdict goto endpoint-AT3LJKCB-default/web/tcp/http__10.77.12.2/8080)',
    );
    expect(e).toMatchObject({
      chain: 'service-SUSTUHLJ-default/web/tcp/http',
      handle: 53,
      verdict: 'goto endpoint-AT3LJKCB-default/web/tcp/http__10.77.12.2/8080',
      jumpTarget: 'endpoint-AT3LJKCB-default/web/tcp/http__10.77.12.2/8080',
    });
    expect(e.ruleText).toMatch(/^numgen random mod 3 vmap \{ 0 : goto .* \}$/);
  });

  it('reads a rule nft could not look up (added after the monitor started) with its handle', () => {
    // Printed by a monitor started before the trace table was created.
    expect(
      parseMonitorLine(
        'a',
        2,
        'trace id e8166925 inet packetlens_trace out unknown rule handle 4 (verdict continue)',
      ),
    ).toMatchObject({ kind: 'rule', ruleText: null, handle: 4, verdict: 'continue', jumpTarget: null });
  });

  it('reads a policy line with and without the mark', () => {
    expect(
      parseMonitorLine('r', 1, 'trace id 07ca1a85 ip mangle PREROUTING policy accept meta mark 0x00000001 '),
    ).toMatchObject({ kind: 'policy', verdict: 'accept', mark: 1, chain: 'PREROUTING' });
    expect(parseMonitorLine('r', 1, 'trace id 07ca1a85 ip filter FORWARD policy drop ')).toMatchObject({
      kind: 'policy',
      verdict: 'drop',
      mark: null,
    });
  });

  it('reads the end of a chain (`verdict`, the kernel NFT_TRACETYPE_RETURN) in the shape nft prints it', () => {
    // This kernel did not emit one in any capture; the shape is libnftables' trace printer's.
    expect(
      parseMonitorLine('r', 3, 'trace id 07ca1a85 ip filter KUBE-FW verdict continue meta mark 0x00004000 '),
    ).toMatchObject({
      kind: 'return',
      verdict: 'continue',
      mark: 0x4000,
    });
  });

  it('keeps lines it cannot read, with the reason', () => {
    expect(
      parseMonitorLine('r', 9, 'Error: Could not process rule: No such file or directory'),
    ).toMatchObject({
      kind: 'unknown',
      netns: 'r',
      line: 9,
      traceId: null,
      raw: 'Error: Could not process rule: No such file or directory',
      reason: 'not a trace line (expected "trace id ID FAMILY TABLE CHAIN ...")',
    });
    expect(parseMonitorLine('r', 1, 'trace id 07ca1a85 ip filter FORWARD something new')).toMatchObject({
      kind: 'unknown',
      reason: 'trace line of an unknown kind (expected packet:, rule, policy or verdict)',
    });
    expect(parseMonitorLine('r', 1, 'trace id 07ca1a85 ipx filter FORWARD policy accept')).toMatchObject({
      kind: 'unknown',
      reason: "unknown family 'ipx'",
    });
  });

  it('numbers lines from 1 and skips blank ones', () => {
    const events = parseMonitorOutput('r', '\ntrace id 07ca1a85 ip filter FORWARD policy drop \n\n');
    expect(events.map((e) => [e.line, e.kind])).toEqual([[2, 'policy']]);
  });
});

describe('parseMonitorOutput on every captured fixture', () => {
  for (const name of fixtureNames()) {
    it(`${name}: every line is a known kind and valid against the schema`, () => {
      const f = fixtureLoad(name);
      const events = fixtureEvents(f);
      expect(events).toHaveLength(
        f.namespaces.reduce((n, ns) => n + ns.lines.filter((l) => l.trim() !== '').length, 0),
      );
      expect(events.filter((e) => e.kind === 'unknown')).toEqual([]);
      for (const e of events) expect(TraceEvent.safeParse(e).success).toBe(true);
      // Every packet line names its addresses; every rule line its verdict.
      for (const e of events) {
        if (e.kind === 'packet') expect([e.packet?.saddr, e.packet?.daddr]).not.toContain(null);
        if (e.kind === 'rule') expect(e.verdict).not.toBeNull();
      }
    });
  }
});
