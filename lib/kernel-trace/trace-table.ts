import type { ProbeProto } from './probe';

/**
 * The nft table that turns tracing on in a namespace: `meta nftrace set 1` at prerouting and in a
 * `type route hook output` chain, both at priority -450, before every chain iptables or kube-proxy
 * create (raw is -300) and before conntrack's defrag (-400). Chains before -450 are not traced.
 *
 * Every hook also gets an empty chain at -450 and one at 10000 (after srcnat at 100 and everything
 * else in practice). They change nothing; their trace lines mark where a packet entered and left
 * each hook, with its headers at that moment. That shows what no rule line shows: the source that
 * MASQUERADE picked, a packet accepted by the last chain of input (delivered to the socket layer),
 * a packet that entered forward and never left it (dropped by something the trace cannot see, such
 * as iptables-legacy rules, which are not nf_tables and never appear in a trace).
 */

export const traceTablePrefix = 'packetlens_trace';
export const traceFirstPriority = -450;
export const traceLastPriority = 10000;

/** The hooks an `inet` table reaches, in the kernel's order for each path. */
export const traceHooks = ['prerouting', 'input', 'forward', 'output', 'postrouting'] as const;
export type TraceHook = (typeof traceHooks)[number];

const chainPrefix: Record<TraceHook, string> = {
  prerouting: 'pre',
  input: 'in',
  forward: 'fwd',
  output: 'out',
  postrouting: 'post',
};

export function traceChainName(hook: TraceHook, end: 'first' | 'last'): string {
  return `${chainPrefix[hook]}_${end}`;
}

/** The trace table's name for one tracing process, so that a leftover can be told from a live one. */
export function traceTableName(owner: number): string {
  return `${traceTablePrefix}_${owner}`;
}

/** The owner pid of a trace table name, or null when the name is not one of ours. */
export function traceTableOwner(name: string): number | null {
  const m = new RegExp(`^${traceTablePrefix}_(\\d+)$`).exec(name);
  return m ? Number(m[1]) : null;
}

export function isTraceTable(name: string): boolean {
  return name === traceTablePrefix || traceTableOwner(name) !== null;
}

/** Which packets to trace: those of a probe (both directions), or all of them. */
export type TraceSelector = { proto: ProbeProto; port: number } | 'all';

/**
 * A UDP datagram to 127.0.0.1 port 9 that every trace table traces: traceCapture sends it to learn
 * that a monitor is listening and, at the end, that it has printed everything before it.
 */
export const traceMarkerPort = 9;

function selectorRules(s: TraceSelector): string[] {
  if (s === 'all') return ['meta nftrace set 1'];
  switch (s.proto) {
    case 'tcp':
    case 'udp':
      return [
        `meta l4proto ${s.proto} th sport ${s.port} meta nftrace set 1`,
        `meta l4proto ${s.proto} th dport ${s.port} meta nftrace set 1`,
      ];
    case 'icmp':
      return [`icmp id ${s.port} meta nftrace set 1`];
    case 'icmpv6':
      return [`icmpv6 id ${s.port} meta nftrace set 1`];
  }
}

// ICMP errors (REJECT, unreachable, TTL) answering a probe carry no port to select them by.
const errorRules = [
  'ip saddr != 127.0.0.0/8 icmp type { destination-unreachable, time-exceeded, parameter-problem } meta nftrace set 1',
  'ip6 saddr != ::1 icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } meta nftrace set 1',
];

const markerRule = `ip daddr 127.0.0.1 udp dport ${traceMarkerPort} meta nftrace set 1`;

function chainText(hook: TraceHook, end: 'first' | 'last', rules: readonly string[]): string {
  const type = hook === 'output' && end === 'first' ? 'route' : 'filter';
  const priority = end === 'first' ? traceFirstPriority : traceLastPriority;
  const body = rules.map((r) => `\t\t${r}\n`).join('');
  return `\tchain ${traceChainName(hook, end)} {\n\t\ttype ${type} hook ${hook} priority ${priority}; policy accept;\n${body}\t}\n`;
}

/**
 * An `nft -f` script that (re)creates the table: adding then deleting it first makes a leftover of
 * the same name go away in the same transaction.
 */
export function traceTableScript(name: string, selectors: readonly TraceSelector[]): string {
  if (selectors.length === 0) throw new Error('traceTableScript: no selector');
  const select = selectors.includes('all')
    ? selectorRules('all')
    : [...selectors.flatMap(selectorRules), ...errorRules];
  const chains = traceHooks.flatMap((hook) => {
    const setTrace = hook === 'prerouting' ? select : hook === 'output' ? [...select, markerRule] : [];
    return [chainText(hook, 'first', setTrace), chainText(hook, 'last', [])];
  });
  return `add table inet ${name}\ndelete table inet ${name}\ntable inet ${name} {\n${chains.join('')}}\n`;
}

const markerLineRe = new RegExp(
  `^trace id \\S+ inet ${traceTablePrefix}\\S* ${traceChainName('output', 'first')} packet: .*\\bip daddr 127\\.0\\.0\\.1 .*\\budp dport ${traceMarkerPort}(?: |$)`,
);

/** Whether a monitor line is the packet line of a marker datagram. */
export function traceMarkerLine(line: string): boolean {
  return markerLineRe.test(line);
}
