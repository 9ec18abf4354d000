import type { IpFamily } from '../../lib/model/common';

/**
 * The fixed allow-list of what the collector runs on a host. The script is generated from these
 * lists and the snapshot is read back through them, so a command is named in one place only.
 */

export interface AllowedCommand {
  /** Section name after the `host:` or `nsN:` prefix; `[a-z0-9-]` only, as the framing requires. */
  key: string;
  argv: readonly string[];
  /** For outputs whose family the content cannot tell (`ip -6 -j rule` looks like `ip -j rule`). */
  family?: IpFamily;
}

/** iptables dumps: the default backend first, then each backend by name when installed. */
export const iptablesCommands: readonly AllowedCommand[] = [
  { key: 'iptables-save', argv: ['iptables-save', '-c'] },
  { key: 'ip6tables-save', argv: ['ip6tables-save', '-c'], family: 'ip6' },
  { key: 'iptables-legacy-save', argv: ['iptables-legacy-save', '-c'] },
  { key: 'ip6tables-legacy-save', argv: ['ip6tables-legacy-save', '-c'], family: 'ip6' },
  { key: 'iptables-nft-save', argv: ['iptables-nft-save', '-c'] },
  { key: 'ip6tables-nft-save', argv: ['ip6tables-nft-save', '-c'], family: 'ip6' },
];

/** What runs inside each pod's network namespace (and on the host, with the commands below). */
export const routingCommands: readonly AllowedCommand[] = [
  { key: 'ip-link', argv: ['ip', '-j', '-d', 'link'] },
  { key: 'ip-addr', argv: ['ip', '-j', 'addr'] },
  { key: 'ip-route', argv: ['ip', '-j', 'route', 'show', 'table', 'all'] },
  { key: 'ip6-route', argv: ['ip', '-6', '-j', 'route', 'show', 'table', 'all'], family: 'ip6' },
  { key: 'ip-rule', argv: ['ip', '-j', 'rule'] },
  { key: 'ip6-rule', argv: ['ip', '-6', '-j', 'rule'], family: 'ip6' },
];

export const hostCommands: readonly AllowedCommand[] = [
  ...iptablesCommands,
  // Says which backend plain `iptables` uses even when its dump is empty.
  { key: 'iptables-version', argv: ['iptables-save', '-V'] },
  { key: 'nft-ruleset', argv: ['nft', '-j', 'list', 'ruleset'] },
  ...routingCommands,
  { key: 'ip-neigh', argv: ['ip', '-j', 'neigh'] },
  { key: 'ipset-save', argv: ['ipset', 'save'] },
  // Maps the link_netnsid of the host's veths to namespace names: which pods are this host's.
  { key: 'netns-ids', argv: ['ip', '-j', 'netns', 'list-id'] },
  { key: 'uname-r', argv: ['uname', '-r'] },
  { key: 'hostname', argv: ['hostname'] },
];

/** Key sysctls, read from /proc/sys; `conf/*` also yields every interface's rp_filter. */
export const sysctlPaths = [
  '/proc/sys/net/ipv4/ip_forward',
  '/proc/sys/net/ipv6/conf/all/forwarding',
  '/proc/sys/net/ipv4/conf/*/rp_filter',
  '/proc/sys/net/bridge/bridge-nf-call-iptables',
  '/proc/sys/net/bridge/bridge-nf-call-ip6tables',
  '/proc/sys/net/netfilter/nf_conntrack_max',
  '/proc/sys/net/netfilter/nf_conntrack_count',
] as const;

/** Where libcni (containerd, CRI-O) caches each attachment's result, pod name and netns. */
export const defaultCniResultDirs = ['/var/lib/cni/results'] as const;

/** A host command by its key; the keys are this module's own, so a wrong one is a bug here. */
export function hostCommand(key: string): AllowedCommand {
  const command = hostCommands.find((c) => c.key === key);
  if (!command) throw new Error(`no host command ${key}`);
  return command;
}

export function commandLine(command: AllowedCommand): string {
  return command.argv.join(' ');
}
