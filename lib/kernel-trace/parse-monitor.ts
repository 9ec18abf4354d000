import type { TraceEvent, TracePacket } from './trace-event';

/**
 * Reads `nft -a monitor trace` text (nft 1.0.6 on this machine; the shapes come from libnftables'
 * trace printer):
 *
 *   trace id 59660b15 ip filter FORWARD packet: iif "ra" oif "rb" ip saddr 10.0.1.2 ... tcp dport 80 ...
 *   trace id 59660b15 ip filter FORWARD rule counter packets 0 bytes 0 jump FW-CHK # handle 7 (verdict jump FW-CHK)
 *   trace id 59660b15 ip filter FW-CHK rule meta l4proto icmp counter packets 0 bytes 0 return # handle 8 (verdict return)
 *   trace id 59660b15 ip filter INPUT unknown rule handle 5 (verdict drop)
 *   trace id 59660b15 ip mangle FORWARD policy accept meta mark 0x00000010
 *   trace id 59660b15 ip filter KUBE-FW verdict continue
 *
 * `unknown rule handle N` is what nft prints for a rule added after the monitor started (its rule
 * cache is filled once, at start). Pure: no IO.
 */

const headerRe = /^trace id ([0-9a-f]{8}) (\S+) (\S+) (\S+) (.*)$/;
const ruleRe = /^rule (.*) \(verdict (.+)\)$/;
const handleRe = /^(.*) # handle (\d+)$/;
const unknownRuleRe = /^unknown rule handle (\d+) \(verdict (.+)\)$/;
const markRe = /^(.*?)(?: meta mark (0x[0-9a-f]+))?$/;
const families = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);

const noFields = {
  traceId: null,
  family: null,
  table: null,
  chain: null,
  ruleText: null,
  handle: null,
  verdict: null,
  jumpTarget: null,
  packet: null,
  mark: null,
  reason: null,
} as const;

function field(text: string, re: RegExp): string | null {
  return re.exec(text)?.[1] ?? null;
}

function intField(text: string, re: RegExp): number | null {
  const v = field(text, re);
  return v !== null && /^\d+$/.test(v) ? Number(v) : null;
}

function unquote(v: string | null): string | null {
  return v !== null && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

// Statements are `protocol field value` separated by blanks; a field is looked up by its two words.
const at = (words: string) => new RegExp(`(?:^| )${words} (\\S+)`);

/**
 * Echo id and sequence. nft 1.0.6 prints an ICMPv6 echo's id and sequence as one 32-bit
 * `icmpv6 parameter-problem N` (the field at the same offset in a parameter-problem message):
 * N is id << 16 | sequence.
 */
function echoFields(
  text: string,
  icmp: string | null,
  type: string | null,
): { id: number | null; seq: number | null } {
  if (icmp === null) return { id: null, seq: null };
  const id = intField(text, at(`${icmp} id`));
  if (id !== null || icmp !== 'icmpv6' || (type !== 'echo-request' && type !== 'echo-reply')) {
    return { id, seq: intField(text, at(`${icmp} sequence`)) };
  }
  const word = intField(text, at('icmpv6 parameter-problem'));
  return word === null ? { id: null, seq: null } : { id: Math.floor(word / 65536), seq: word % 65536 };
}

/** The headers nft printed after `packet: `, as fields. */
export function parseTracePacket(text: string): TracePacket {
  const ip6 = /(?:^| )ip6 (?:saddr|daddr|nexthdr) /.test(text);
  const ip = !ip6 && /(?:^| )ip (?:saddr|daddr|protocol) /.test(text);
  const l3 = ip6 ? 'ip6' : ip ? 'ip' : null;
  const transport = /(?:^| )(tcp|udp|udplite|sctp|dccp) (?:sport|dport) /.exec(text)?.[1] ?? null;
  const icmp = /(?:^| )(icmpv6|icmp) type /.exec(text)?.[1] ?? null;
  const declared =
    l3 === 'ip6' ? field(text, at('ip6 nexthdr')) : l3 === 'ip' ? field(text, at('ip protocol')) : null;
  const l4proto = declared ?? transport ?? (icmp === 'icmpv6' ? 'ipv6-icmp' : icmp);
  const icmpType = icmp ? field(text, at(`${icmp} type`)) : null;
  const echo = echoFields(text, icmp, icmpType);
  return {
    iif: unquote(field(text, at('iif'))),
    oif: unquote(field(text, at('oif'))),
    l3,
    saddr: l3 ? field(text, at(`${l3} saddr`)) : null,
    daddr: l3 ? field(text, at(`${l3} daddr`)) : null,
    ttl:
      l3 === 'ip6' ? intField(text, at('ip6 hoplimit')) : l3 === 'ip' ? intField(text, at('ip ttl')) : null,
    ipId: l3 === 'ip' ? intField(text, at('ip id')) : null,
    l4proto,
    sport: transport ? intField(text, at(`${transport} sport`)) : null,
    dport: transport ? intField(text, at(`${transport} dport`)) : null,
    tcpFlags: field(text, at('tcp flags ==')),
    icmpType,
    icmpCode: icmp ? field(text, at(`${icmp} code`)) : null,
    icmpId: echo.id,
    icmpSeq: echo.seq,
    ctState: field(text, at('ct state')),
    ctDirection: field(text, at('ct direction')),
    ctStatus: field(text, at('ct status')),
    ctId: intField(text, at('ct id')),
    text,
  };
}

function verdictParts(verdict: string): { verdict: string; jumpTarget: string | null } {
  const m = /^(jump|goto) (\S+)$/.exec(verdict);
  return { verdict, jumpTarget: m ? m[2]! : null };
}

function markValue(hex: string | undefined): number | null {
  return hex === undefined ? null : Number.parseInt(hex, 16);
}

function unknown(netns: string, line: number, raw: string, reason: string): TraceEvent {
  return { ...noFields, netns, line, kind: 'unknown', raw, reason };
}

/** One monitor line; `line` is its 1-based number in that monitor's output. */
export function parseMonitorLine(netns: string, line: number, text: string): TraceEvent {
  const raw = text.trimEnd();
  const m = headerRe.exec(raw);
  if (!m)
    return unknown(netns, line, raw, 'not a trace line (expected "trace id ID FAMILY TABLE CHAIN ...")');
  const [, traceId, family, table, chain, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!families.has(family)) return unknown(netns, line, raw, `unknown family '${family}'`);
  const base = { ...noFields, netns, line, raw, traceId, family, table, chain };

  if (rest.startsWith('packet: ') || rest === 'packet:') {
    return { ...base, kind: 'packet', packet: parseTracePacket(rest.slice('packet:'.length).trim()) };
  }
  const unknownRule = unknownRuleRe.exec(rest);
  if (unknownRule) {
    return { ...base, kind: 'rule', handle: Number(unknownRule[1]), ...verdictParts(unknownRule[2]!) };
  }
  const rule = ruleRe.exec(rest);
  if (rule) {
    const withHandle = handleRe.exec(rule[1]!);
    return {
      ...base,
      kind: 'rule',
      ruleText: withHandle ? withHandle[1]! : rule[1]!,
      handle: withHandle ? Number(withHandle[2]) : null,
      ...verdictParts(rule[2]!),
    };
  }
  if (rest.startsWith('policy ')) {
    const [, policy, mark] = markRe.exec(rest.slice('policy '.length))!;
    return { ...base, kind: 'policy', verdict: policy!, mark: markValue(mark) };
  }
  if (rest.startsWith('verdict ')) {
    const [, verdict, mark] = markRe.exec(rest.slice('verdict '.length))!;
    return { ...base, kind: 'return', ...verdictParts(verdict!), mark: markValue(mark) };
  }
  return unknown(
    netns,
    line,
    raw,
    'trace line of an unknown kind (expected packet:, rule, policy or verdict)',
  );
}

/** Every line of one monitor's output, in order; blank lines are skipped (their numbers still count). */
export function parseMonitorOutput(netns: string, text: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() !== '') events.push(parseMonitorLine(netns, i + 1, l));
  });
  return events;
}
