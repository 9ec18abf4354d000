import { z } from 'zod';
import { CounterValue } from '../model/common';
import type { IndexedChain, IndexedRule, IndexedTable } from './ruleset-index';

/** Pages of a chain's rules, as the rule table shows them: never the whole table at once. */

export const rulePageSizeMax = 200;
export const rulePageSizeDefault = 100;

export const RuleTargetView = z.object({
  chain: z.string(),
  kind: z.enum(['jump', 'goto']),
  via: z.string().nullable(),
  /** The target exists in the table (a link can follow it). */
  exists: z.boolean(),
});

export const RuleRow = z.object({
  /** `ipt:ip/nat` etc.: the table of the rule. */
  table: z.string(),
  chain: z.string(),
  index: z.number().int().positive(),
  line: z.number().int().nullable(),
  handle: z.number().int().nullable(),
  text: z.string(),
  counters: z.object({ packets: CounterValue, bytes: CounterValue }).nullable(),
  /** Chains this rule continues in; a verdict map may name many: at most `targetsShown`. */
  targets: z.array(RuleTargetView),
  /** Targets beyond those listed. */
  moreTargets: z.number().int().nonnegative(),
});
export type RuleRow = z.infer<typeof RuleRow>;

export const ChainCaller = z.object({ chain: z.string(), index: z.number().int().positive() });

export const ChainSummary = z.object({
  table: z.string(),
  name: z.string(),
  builtin: z.boolean(),
  policy: z.string().nullable(),
  hook: z.string().nullable(),
  priority: z.number().int().nullable(),
  type: z.string().nullable(),
  line: z.number().int().nullable(),
  comment: z.string().nullable(),
  counters: z.object({ packets: CounterValue, bytes: CounterValue }).nullable(),
  rules: z.number().int().nonnegative(),
  /** Rules that jump or go to this chain (first `callersShown`). */
  callers: z.array(ChainCaller),
  callersTotal: z.number().int().nonnegative(),
});
export type ChainSummary = z.infer<typeof ChainSummary>;

export const RulePage = z.object({
  chain: ChainSummary,
  page: z.number().int().positive(),
  pageSize: z.number().int().positive(),
  pages: z.number().int().nonnegative(),
  rules: z.array(RuleRow),
});
export type RulePage = z.infer<typeof RulePage>;

export const PageQuery = z.object({
  page: z.coerce.number().int().positive().default(1),
  pageSize: z.coerce.number().int().positive().max(rulePageSizeMax).default(rulePageSizeDefault),
});

const targetsShown = 20;
const callersShown = 20;

export function ruleRow(table: IndexedTable, chain: string, rule: IndexedRule): RuleRow {
  return {
    table: table.key,
    chain,
    index: rule.index,
    line: rule.line,
    handle: rule.handle,
    text: rule.text,
    counters: rule.counters,
    targets: rule.targets
      .slice(0, targetsShown)
      .map((t) => ({ ...t, exists: table.chainByName.has(t.chain) })),
    moreTargets: Math.max(0, rule.targets.length - targetsShown),
  };
}

export function chainSummary(table: IndexedTable, chain: IndexedChain): ChainSummary {
  const callers: z.infer<typeof ChainCaller>[] = [];
  let callersTotal = 0;
  for (const c of table.chains) {
    for (const rule of c.rules) {
      if (!rule.targets.some((t) => t.chain === chain.name)) continue;
      callersTotal++;
      if (callers.length < callersShown) callers.push({ chain: c.name, index: rule.index });
    }
  }
  return {
    table: table.key,
    name: chain.name,
    builtin: chain.builtin,
    policy: chain.policy,
    hook: chain.base?.hook ?? null,
    priority: chain.base?.priority ?? null,
    type: chain.base?.type ?? null,
    line: chain.line,
    comment: chain.comment,
    counters: chain.counters,
    rules: chain.rules.length,
    callers,
    callersTotal,
  };
}

export function rulePage(table: IndexedTable, chain: IndexedChain, page: number, pageSize: number): RulePage {
  const pages = Math.ceil(chain.rules.length / pageSize);
  const start = (page - 1) * pageSize;
  return {
    chain: chainSummary(table, chain),
    page,
    pageSize,
    pages,
    rules: chain.rules.slice(start, start + pageSize).map((r) => ruleRow(table, chain.name, r)),
  };
}

/** The page of a chain that holds rule `index`, so a link to a rule opens where it is. */
export function rulePageOf(index: number, pageSize: number): number {
  return Math.max(1, Math.ceil(index / pageSize));
}

export const ChainList = z.object({
  table: z.string(),
  q: z.string(),
  total: z.number().int().nonnegative(),
  /** Matching chains in declaration order, built-in first; at most `chainListMax`. */
  chains: z.array(
    z.object({ name: z.string(), rules: z.number().int().nonnegative(), builtin: z.boolean() }),
  ),
});
export type ChainList = z.infer<typeof ChainList>;

export const chainListMax = 100;

/** Chains whose name contains `q` (case-insensitive), for the chain picker. */
export function chainList(table: IndexedTable, q: string): ChainList {
  const needle = q.toLowerCase();
  const matching = table.chains.filter((c) => c.name.toLowerCase().includes(needle));
  matching.sort((a, b) => Number(b.builtin) - Number(a.builtin));
  return {
    table: table.key,
    q,
    total: matching.length,
    chains: matching
      .slice(0, chainListMax)
      .map((c) => ({ name: c.name, rules: c.rules.length, builtin: c.builtin })),
  };
}
