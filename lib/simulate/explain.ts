import type { TraceStep } from './result';

/**
 * What a step means, for the dashboard's step-through mode: what this hook, table and verdict do
 * in the kernel and why the packet is where it is. Written for engineers learning the path.
 */

const hooks: Readonly<Record<string, string>> = {
  PREROUTING:
    'PREROUTING runs for every packet that arrives on an interface, before the routing decision: the place for raw (conntrack exemptions), mangle (marks) and destination NAT.',
  INPUT:
    'INPUT runs for packets the routing decision delivers to this namespace itself, before a socket gets them.',
  FORWARD:
    'FORWARD runs for packets this namespace routes on to another interface: the usual place for a firewall between networks (and Kubernetes pod traffic).',
  OUTPUT:
    'OUTPUT runs for packets a local process sends, after their first routing decision; DNAT here (a service address) makes the kernel route the packet again.',
  POSTROUTING:
    'POSTROUTING runs for every packet about to leave by an interface, after routing: the place for source NAT and MASQUERADE.',
};

const tables: Readonly<Record<string, string>> = {
  raw: 'The raw table runs first (priority -300), before conntrack looks at the packet; NOTRACK here exempts it from connection tracking.',
  mangle:
    'The mangle table (priority -150) changes packet metadata such as the mark, which later rules and policy routing can read.',
  nat: "The nat table only sees a connection's first packet: what it decides (DNAT, SNAT, MASQUERADE, or nothing) conntrack applies to every later packet and undoes on replies.",
  filter: 'The filter table (priority 0) accepts or drops: the firewall.',
  security: 'The security table (priority 50) sets SELinux security marks.',
};

function verdictText(step: TraceStep): string | null {
  const v = step.verdict;
  if (/^(DNAT|dnat)/.test(v))
    return 'DNAT rewrites the destination address (and port) before routing, so the packet is routed to the new destination; conntrack remembers it and rewrites the replies back.';
  if (/^(MASQUERADE|masquerade)/.test(v))
    return 'MASQUERADE rewrites the source to the address of the interface the packet leaves by, so replies come back to this host, which undoes it.';
  if (/^(SNAT|snat)/.test(v))
    return 'SNAT rewrites the source address to a fixed one; replies are rewritten back by conntrack.';
  if (/^(REDIRECT|redirect)/.test(v)) return 'REDIRECT sends the packet to a port of this host itself.';
  if (/^(jump|goto) /.test(v) || /, (jump|goto) /.test(v))
    return v.includes('goto')
      ? 'A goto continues in the named chain and does not come back here: when that chain ends, control returns to whoever called this chain.'
      : 'A jump continues in the named chain; when it ends (or RETURNs), evaluation comes back to the next rule here.';
  if (/^(MARK|meta mark set|CONNMARK)/.test(v))
    return 'Setting a mark changes nothing on the wire: only this host reads it, in later rules, in policy routing (ip rule fwmark) and, saved to the connection, as its connmark.';
  if (/^(ACCEPT|accept)$/.test(v))
    return "ACCEPT ends this chain's walk for this table: the packet goes on to the next table's chain at this hook (an accept does not skip the others).";
  if (/^(DROP|drop)$/.test(v)) return 'DROP discards the packet silently: the sender only sees a timeout.';
  if (/^(REJECT|reject)/.test(v))
    return 'REJECT discards the packet and answers the sender (a TCP reset or an ICMP error), so it fails fast.';
  if (/^statistic|^numgen/.test(v))
    return 'A random choice: each connection takes one branch, with the probability shown.';
  return null;
}

export function stepExplanation(step: TraceStep): string {
  switch (step.kind) {
    case 'route':
      return `The routing decision: the policy rules (ip rule) pick a table and the longest matching prefix in it decides where the packet goes (${step.verdict}).`;
    case 'conntrack':
      return 'conntrack translated this packet: it belongs to a known connection, so NAT decided by the first packet is applied (or undone for a reply) without consulting the nat table.';
    case 'bridge':
      return 'The packet is bridged between two ports of a Linux bridge. With br_netfilter and bridge-nf-call-iptables=1 (which kube-proxy needs) bridged IP packets still pass the iptables hooks, with the bridge as both interfaces.';
    case 'transit':
      return 'The packet leaves this network namespace and arrives in the next one (a veth pair, a bridge port, or the host that owns the next-hop address).';
    case 'deliver':
      return 'Delivered: the packet reached a local socket of this namespace.';
    case 'leave':
      return 'The packet leaves by an interface towards something packetlens did not collect.';
    case 'drop':
      return `The kernel drops the packet outside any rule: ${step.note ?? step.verdict}.`;
    case 'undecided':
      return `packetlens cannot decide this step and does not guess: ${step.note ?? ''}`;
    case 'policy':
      return `No rule in the base chain ${step.chain} decided, so its policy does: ${step.verdict}. ${hooks[step.hook] ?? ''}`;
    case 'rule': {
      const parts = [hooks[step.hook], step.table ? tables[step.table] : undefined, verdictText(step)];
      return parts.filter(Boolean).join(' ');
    }
  }
}
