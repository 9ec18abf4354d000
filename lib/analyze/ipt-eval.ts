import type { IptablesDump, IptChain, IptRule, IptTable } from '../model/iptables';
import type { Atom } from './atoms';
import type { EndpointTarget, EvalAction, EvalChain, EvalRule } from './flow-eval';
import { iptRuleAtomsShared, iptRuleDims } from './ipt-atoms';
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

// Shared: most rules of a large node end in one of these, and nothing changes an action once made.
const GOES_ON: EvalAction = Object.freeze({ kind: 'continue', marks: false });
const MARKS: EvalAction = Object.freeze({ kind: 'continue', marks: true });

function actionOf(r: IptEvalRule): EvalAction {
  const { chain, rule } = r;
  const t = rule.target;
  const effect = iptTargetEffect(rule);
  if (t === null) return GOES_ON;
  if (effect === 'unknown')
    return {
      kind: 'final',
      verdict: 'undecided',
      detail: `target ${t.name} is not interpreted by packetlens`,
    };
  if ('chain' in t) {
    const next = r.target;
    if (!next) return { kind: 'final', verdict: 'undecided', detail: `no chain ${t.name} in this table` };
    // A chain that never decides (KUBE-MARK-MASQ) only marks the packet on its way.
    if (!next.mayDecide) return MARKS;
    return { kind: rule.goto ? 'goto' : 'call', chain: next };
  }
  if (!('options' in t)) return GOES_ON;
  switch (t.name) {
    case 'DNAT': {
      const to = t.options.toDestination?.value;
      return to === undefined
        ? { kind: 'final', verdict: 'undecided', detail: 'DNAT without --to-destination' }
        : { kind: 'endpoint', endpoint: dnatTargetParse(to, r.ev.dump.family) };
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
      return MARKS;
    default:
      return effect === 'final'
        ? { kind: 'final', verdict: 'undecided', detail: `${t.name} here is not a destination rewrite` }
        : GOES_ON;
  }
}

/** Lazily built EvalRules and EvalChains of one table. */
export class IptEval {
  readonly index: IptTableIndex;
  /** Every chain of the table by name: the one map a walk asks for the chain a rule jumps to. */
  private readonly byName = new Map<string, IptEvalChain>();

  constructor(
    readonly dump: IptablesDump,
    readonly table: IptTable,
  ) {
    this.index = iptTableIndex(dump, table);
    const chains = table.chains;
    for (let i = 0; i < chains.length; i++)
      this.byName.set(chains[i]!.name, new IptEvalChain(this, chains[i]!, i));
  }

  atoms(chain: IptChain, rule: IptRule): readonly Atom[] {
    return this.rule(chain, rule).atoms;
  }

  /** One reference object per rule, shared by every result that points at it. */
  ref(chain: IptChain, rule: IptRule): RuleRef {
    return this.rule(chain, rule).ref;
  }

  rule(chain: IptChain, rule: IptRule): IptEvalRule {
    return this.chain(chain).at(rule);
  }

  /** A chain of this table. */
  chain(chain: IptChain): IptEvalChain {
    const c = this.byName.get(chain.name);
    if (c?.chain !== chain) throw new Error(`chain ${chain.name} is not a chain of table ${this.table.name}`);
    return c;
  }

  /** The chain of this table with that name. */
  chainNamed(name: string): IptEvalChain | undefined {
    return this.byName.get(name);
  }
}

// Classes rather than closures, and memos in fields rather than maps keyed by rule: a rule's
// reference, atoms and action are made only when a walk needs them, and found again at once (a
// 10,000-service node's walks ask each rule several times).
export class IptEvalRule implements EvalRule {
  private refMemo: RuleRef | undefined;
  private atomsMemo: readonly Atom[] | undefined;
  private actionMemo: EvalAction | undefined;
  private dimsMemo: readonly string[] | undefined;

  constructor(
    /** The rule's chain. */
    readonly owner: IptEvalChain,
    readonly rule: IptRule,
  ) {}

  get ev(): IptEval {
    return this.owner.ev;
  }

  get chain(): IptChain {
    return this.owner.chain;
  }

  get ref(): RuleRef {
    return (this.refMemo ??= iptRuleRef(this.ev.dump, this.ev.table, this.chain, this.rule));
  }

  get atoms(): readonly Atom[] {
    return (this.atomsMemo ??= iptRuleAtomsShared(this.rule, this.ev.dump.family));
  }

  get action(): EvalAction {
    return (this.actionMemo ??= actionOf(this));
  }

  get dims(): readonly string[] {
    return (this.dimsMemo ??= iptRuleDims(this.rule));
  }

  /** The user chain of this table the rule jumps or goes to; null for any other target. */
  get target(): IptEvalChain | null {
    return this.owner.targets[this.rule.index - 1]!;
  }
}

export class IptEvalChain implements EvalChain {
  private rulesMemo: IptEvalRule[] | undefined;
  private targetsMemo: (IptEvalChain | null)[] | undefined;
  private decides: boolean | undefined;

  constructor(
    readonly ev: IptEval,
    readonly chain: IptChain,
    /** The chain's position in its table, so analyses can keep per-chain memos in arrays. */
    readonly id: number,
  ) {}

  get name(): string {
    return this.chain.name;
  }

  at(rule: IptRule): IptEvalRule {
    return this.rules[rule.index - 1]!;
  }

  get rules(): readonly IptEvalRule[] {
    return (this.rulesMemo ??= this.chain.rules.map((r) => new IptEvalRule(this, r)));
  }

  /**
   * The user chain of this table each rule jumps or goes to (null for any other target), by the
   * rule's position: what finding a table's ways needs of every rule, without an IptEvalRule each.
   */
  get targets(): readonly (IptEvalChain | null)[] {
    if (!this.targetsMemo) {
      const rules = this.chain.rules;
      const targets = new Array<IptEvalChain | null>(rules.length);
      for (let i = 0; i < rules.length; i++) {
        const t = rules[i]!.target;
        targets[i] = (t && 'chain' in t && this.ev.chainNamed(t.name)) || null;
      }
      this.targetsMemo = targets;
    }
    return this.targetsMemo;
  }

  /** Some packet entering the chain may get a final verdict in it (or in chains it calls). */
  get mayDecide(): boolean {
    if (this.decides === undefined) {
      // The kernel refuses loops; in a malformed dump's loop the chain met again counts as not deciding.
      this.decides = false;
      const rules = this.chain.rules;
      const targets = this.targets;
      for (let i = 0; i < rules.length && !this.decides; i++) {
        const effect = iptTargetEffect(rules[i]!);
        const target = effect === 'call' || effect === 'goto' ? targets[i]! : null;
        this.decides = effect === 'final' || effect === 'unknown' || (target !== null && target.mayDecide);
      }
    }
    return this.decides;
  }
}
