/** ICMP and ICMPv6 type names as iptables and nft write them, with their numbers. */

const icmpTypes: Readonly<Record<string, number>> = {
  'echo-reply': 0,
  pong: 0,
  'destination-unreachable': 3,
  'source-quench': 4,
  redirect: 5,
  'echo-request': 8,
  ping: 8,
  'router-advertisement': 9,
  'router-solicitation': 10,
  'time-exceeded': 11,
  'ttl-exceeded': 11,
  'parameter-problem': 12,
  'timestamp-request': 13,
  'timestamp-reply': 14,
};

const icmpv6Types: Readonly<Record<string, number>> = {
  'destination-unreachable': 1,
  'packet-too-big': 2,
  'time-exceeded': 3,
  'ttl-exceeded': 3,
  'parameter-problem': 4,
  'echo-request': 128,
  'echo-reply': 129,
  'router-solicitation': 133,
  'router-advertisement': 134,
  'neighbour-solicitation': 135,
  'neighbor-solicitation': 135,
  'nd-neighbor-solicit': 135,
  'neighbour-advertisement': 136,
  'neighbor-advertisement': 136,
  'nd-neighbor-advert': 136,
  'nd-router-solicit': 133,
  'nd-router-advert': 134,
};

export function icmpTypeNumber(proto: 'icmp' | 'icmpv6', name: string): number | null {
  const table = proto === 'icmp' ? icmpTypes : icmpv6Types;
  const n = table[name.toLowerCase()];
  if (n !== undefined) return n;
  const numeric = /^(\d+)(\/\d+)?$/.exec(name);
  return numeric ? Number(numeric[1]) : null;
}

/** `--icmp-type any`, a name, or `type[/code]`, against the packet's type (codes are 0 for echo). */
export function icmpTypeMatches(proto: 'icmp' | 'icmpv6', wanted: string, have: string | null): boolean {
  if (wanted === 'any') return true;
  if (have === null) return false;
  const w = icmpTypeNumber(proto, wanted);
  const h = icmpTypeNumber(proto, have);
  const code = /\/(\d+)$/.exec(wanted);
  return w !== null && w === h && (!code || code[1] === '0');
}
