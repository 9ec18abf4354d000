import type { NftFamily } from '../model/nftables';

/**
 * Base chain priorities as nft 1.0.6 names them: `dstnat`, `filter + 10`, or a bare number when no
 * standard priority within 10 of it is allowed for the family and hook. Names are valid only in some
 * families and hooks (`dstnat` only on prerouting), which is why `priority dstnat` on an output hook
 * lists as `-100`.
 */

interface StdPriority {
  readonly name: string;
  readonly value: number;
  /** Families where the name is valid (bridge has its own table). */
  readonly families: readonly NftFamily[];
  /** Hooks where the name is valid; empty means every hook. */
  readonly hooks: readonly string[];
}

const IP_FAMILIES: readonly NftFamily[] = ['inet', 'ip', 'ip6'];

// nft's std_prios, in its lookup order: the first one within reach decides.
const STD_PRIORITIES: readonly StdPriority[] = [
  { name: 'raw', value: -300, families: IP_FAMILIES, hooks: [] },
  { name: 'mangle', value: -150, families: IP_FAMILIES, hooks: [] },
  { name: 'dstnat', value: -100, families: IP_FAMILIES, hooks: ['prerouting'] },
  { name: 'filter', value: 0, families: [...IP_FAMILIES, 'arp', 'netdev'], hooks: [] },
  { name: 'security', value: 50, families: IP_FAMILIES, hooks: [] },
  { name: 'srcnat', value: 100, families: IP_FAMILIES, hooks: ['postrouting'] },
];

const BRIDGE_PRIORITIES: readonly StdPriority[] = [
  { name: 'dstnat', value: -300, families: ['bridge'], hooks: ['prerouting'] },
  { name: 'filter', value: -200, families: ['bridge'], hooks: [] },
  { name: 'out', value: 100, families: ['bridge'], hooks: ['output'] },
  { name: 'srcnat', value: 300, families: ['bridge'], hooks: ['postrouting'] },
];

// nft prints `name ± offset` only for offsets up to this distance.
const REACH = 10;

function table(family: NftFamily): readonly StdPriority[] {
  return family === 'bridge' ? BRIDGE_PRIORITIES : STD_PRIORITIES;
}

function allowed(p: StdPriority, family: NftFamily, hook: string): boolean {
  return p.families.includes(family) && (p.hooks.length === 0 || p.hooks.includes(hook));
}

/** The priority as `nft list ruleset` prints it in a chain or flowtable header. */
export function nftPriorityText(family: NftFamily, hook: string, priority: number): string {
  for (const p of table(family)) {
    if (Math.abs(priority - p.value) > REACH) continue;
    // nft stops at the first name within reach, even when that name is not allowed here.
    if (!allowed(p, family, hook)) break;
    const offset = priority - p.value;
    return offset > 0 ? `${p.name} + ${offset}` : offset < 0 ? `${p.name} - ${-offset}` : p.name;
  }
  return String(priority);
}

/** Priority names valid for the family and hook, for error messages. */
export function nftPriorityNames(family: NftFamily, hook: string): string[] {
  return table(family)
    .filter((p) => allowed(p, family, hook))
    .map((p) => p.name);
}

const priorityRe = /^\s*(-?\d+|[a-z]+)\s*(?:([+-])\s*(\d+)\s*)?$/;

/**
 * Resolves a priority written as a number or as `name`, `name + N`, `name - N` for the family and
 * hook, as nft does when it reads a ruleset. Null when the name is unknown or not allowed there.
 */
export function nftPriorityResolve(family: NftFamily, hook: string, text: string): number | null {
  const m = priorityRe.exec(text);
  if (!m) return null;
  const [, base, sign, offset] = m;
  let value: number;
  if (/^-?\d+$/.test(base!)) {
    value = Number(base);
  } else {
    const p = table(family).find((q) => q.name === base && allowed(q, family, hook));
    if (!p) return null;
    value = p.value;
  }
  if (sign) value += (sign === '-' ? -1 : 1) * Number(offset);
  return value;
}
