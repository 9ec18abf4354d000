import type { AnyOptionSpec, ModuleSpec } from './module-spec';
import { matchModules } from './match-modules';
import { targetModules } from './target-modules';

/** Option lookup for one module: every spelling of every flag, mapped to its key and spec. */
export interface ModuleIndex {
  readonly spec: ModuleSpec;
  readonly byFlag: ReadonlyMap<string, { key: string; spec: AnyOptionSpec }>;
}

function indexModules(specs: readonly ModuleSpec[]): ReadonlyMap<string, ModuleIndex> {
  const out = new Map<string, ModuleIndex>();
  for (const spec of specs) {
    const byFlag = new Map<string, { key: string; spec: AnyOptionSpec }>();
    for (const [key, opt] of Object.entries(spec.options))
      for (const f of opt.flags) byFlag.set(f, { key, spec: opt });
    out.set(spec.name, { spec, byFlag });
  }
  return out;
}

export const matchIndex = indexModules(matchModules);
export const targetIndex = indexModules(targetModules);

/** Protocols whose match iptables loads implicitly after `-p` (`-p tcp --dport 80` without `-m tcp`). */
export const implicitProtoMatch: Readonly<Record<string, string>> = {
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  sctp: 'sctp',
  '132': 'sctp',
  icmp: 'icmp',
  '1': 'icmp',
  icmpv6: 'icmp6',
  'ipv6-icmp': 'icmp6',
  '58': 'icmp6',
};

/** Built-in chains of each table, in the order iptables-save lists them. */
export const builtinChains: Readonly<Record<string, readonly string[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};
