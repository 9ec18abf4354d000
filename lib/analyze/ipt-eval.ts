import type { IptablesDump, IptChain, IptRule, IptTable } from '../model/iptables';
import type { Atom } from './atoms';
import type { EndpointTarget, EvalAction, EvalChain, EvalRule } from './flow-eval';
import { iptRuleAtomsCached } from './ipt-atoms';
import type { IptTableIndex } from './ipt-index';
import { iptTableIndex, iptTargetEffect } from './ipt-index';
import { iptRuleRef, type RuleRef } from './rule-ref';

/**
 * iptables rules in the shape flow-eval.ts walks: each rule's atoms, and what its target does
 * (rewrite the destination, call a chain, decide, or let the packet go on). Made lazily, once per
 * rule, so a flow touches only the chains below its entry.
 */

/** `10.180.0.1:80`, `[ff06::c1]:80`, `10.0.0.1-10.0.0.9:80-90`, `fd00::1`: address and port as written. */
export function dnatTargetParse(to: string, family: IptablesDump['family']): EndpointTarget {
  if (to.startsWith('[')) {
    const close = to.indexOf(']');
    const port = to.slice(close + 1).replace(/^:/, '');
    return { kind: 'dnat', to, address: to.slice(1, close), port: port || null };
  }
  if (family === 'ip' || !to.includes('::') || /^[^:]*:[^:]*$/.test(to)) {
    const colon = to.indexOf(':');
    if (colon < 0) return { kind: 'dnat', to, address: to, port: null };
    return { kind: 'dnat', to, address: to.slice(0, colon) || null, port: to.slice(colon + 1) || null };
  }
  return { kind: 'dnat', to, address: to, port: null };
}

function actionOf(ctx: IptEval, chain: IptChain, rule: IptRule): EvalAction {
  const t = rule.target;
  const effect = iptTargetEffect(rule);
  if (t === null) return { kind: 'continue', marks: false };
  if (effect === 'unknown')
    return {
      kind: 'final',
      verdict: 'undecided',
      detail: `target ${t.name} is not interpreted by packetlens`,
    };
  if ('chain' in t) {
    const target = ctx.index.targetChain(rule);
    if (!target) return { kind: 'final', verdict: 'undecided', detail: `no chain ${t.name} in this table` };
    // A chain that never decides (KUBE-MARK-MASQ) only marks the packet on its way.
    if (!ctx.index.chainMayDecide(target)) return { kind: 'continue', marks: true };
    return { kind: rule.goto ? 'goto' : 'call', chain: ctx.chain(target) };
  }
  if (!('options' in t)) return { kind: 'continue', marks: false };
  switch (t.name) {
    case 'DNAT': {
      const to = t.options.toDestination?.value;
      return to === undefined
        ? { kind: 'final', verdict: 'undecided', detail: 'DNAT without --to-destination' }
        : { kind: 'endpoint', endpoint: dnatTargetParse(to, ctx.dump.family) };
    }
    case 'REDIRECT': {
      const ports = t.options.toPorts?.value ?? null;
      return {
        kind: 'endpoint',
        endpoint: { kind: 'redirect', to: ports ? `:${ports}` : ':', address: null, port: ports },
      };
    }
    case 'ACCEPT':
      return {
        kind: 'final',
        verdict: 'accept',
        detail: `ACCEPT in ${chain.name}: no translation`,
      };
    case 'DROP':
      return { kind: 'final', verdict: 'drop', detail: 'DROP' };
    case 'REJECT':
      return { kind: 'final', verdict: 'reject', detail: 'REJECT' };
    case 'RETURN':
      return { kind: 'final', verdict: 'return', detail: 'RETURN' };
    case 'MARK':
    case 'CONNMARK':
      return { kind: 'continue', marks: true };
    default:
      return effect === 'final'
        ? { kind: 'final', verdict: 'undecided', detail: `${t.name} here is not a destination rewrite` }
        : { kind: 'continue', marks: false };
  }
}

/** Lazily built EvalRules and EvalChains of one table. */
export class IptEval {
  readonly index: IptTableIndex;
  private readonly rules = new Map<IptRule, EvalRule>();
  private readonly chains = new Map<IptChain, EvalChain>();

  constructor(
    readonly dump: IptablesDump,
    readonly table: IptTable,
  ) {
    this.index = iptTableIndex(dump, table);
  }

  atoms(rule: IptRule): Atom[] {
    return iptRuleAtomsCached(rule, this.dump.family);
  }

  ref(chain: IptChain, rule: IptRule): RuleRef {
    return iptRuleRef(this.dump, this.table, chain, rule);
  }

  rule(chain: IptChain, rule: IptRule): EvalRule {
    let r = this.rules.get(rule);
    if (!r) {
      let ref: RuleRef | undefined;
      let action: EvalAction | undefined;
      const makeRef = () => this.ref(chain, rule);
      const makeAction = () => actionOf(this, chain, rule);
      r = {
        get ref() {
          return (ref ??= makeRef());
        },
        atoms: this.atoms(rule),
        get action() {
          return (action ??= makeAction());
        },
      };
      this.rules.set(rule, r);
    }
    return r;
  }

  chain(chain: IptChain): EvalChain {
    let c = this.chains.get(chain);
    if (!c) {
      let rules: EvalRule[] | undefined;
      const makeRules = () => chain.rules.map((r) => this.rule(chain, r));
      c = {
        name: chain.name,
        get rules() {
          return (rules ??= makeRules());
        },
      };
      this.chains.set(chain, c);
    }
    return c;
  }
}
