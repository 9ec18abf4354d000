import type { NftChain, NftExpr, NftRule, NftStmt, NftTable } from '../model/nftables';
import { nftTableRenderContext, renderNftExpr } from '../nftables/render-text';
import type { Atom } from './atoms';
import type { ChooseOption, EndpointTarget, EvalAction, EvalChain, EvalRule } from './flow-eval';
import { nftMatchAtoms, nftRuleAtoms } from './nft-atoms';
import { rational } from './rational';
import { nftRuleRef, type RuleRef } from './rule-ref';

/**
 * Native nft rules in the shape flow-eval.ts walks, as iptables rules are in ipt-eval.ts: a rule's
 * match statements become atoms, and its verdict, verdict map or NAT statement its action. A map
 * keyed by numgen or jhash splits packets by shares (element count / mod); a map keyed by packet
 * fields picks by the packet, and says so.
 */

type Stmt<K extends NftStmt['kind']> = Extract<NftStmt, { kind: K }>;

/** One element of a map or verdict map: its key, its value, and its comment. */
export interface NftMapElement {
  key: NftExpr;
  value: NftExpr;
  comment: string | null;
  /** As `nft list ruleset` prints the element. */
  text: string;
}

function unwrap(e: NftExpr): { expr: NftExpr; comment: string | null } {
  return e.kind === 'elem' ? { expr: e.value, comment: e.comment } : { expr: e, comment: null };
}

export class NftEval {
  readonly chains: ReadonlyMap<string, NftChain>;
  private readonly atomsMemo = new Map<NftRule, Atom[]>();
  private readonly refs = new Map<NftRule, RuleRef>();
  private readonly rules = new Map<NftRule, EvalRule>();
  private readonly evalChains = new Map<NftChain, EvalChain>();
  private readonly mayDecide = new Map<NftChain, boolean>();
  private readonly chainOf = new Map<NftRule, NftChain>();

  constructor(readonly table: NftTable) {
    this.chains = new Map(table.chains.map((c) => [c.name, c]));
    for (const c of table.chains) for (const r of c.rules) this.chainOf.set(r, c);
  }

  atoms(rule: NftRule): Atom[] {
    let a = this.atomsMemo.get(rule);
    if (!a) this.atomsMemo.set(rule, (a = nftRuleAtoms(this.table, rule)));
    return a;
  }

  ref(rule: NftRule): RuleRef {
    let r = this.refs.get(rule);
    if (!r) this.refs.set(rule, (r = nftRuleRef(this.table, this.chainOf.get(rule)!, rule)));
    return r;
  }

  text(e: NftExpr): string {
    return renderNftExpr(e, nftTableRenderContext(this.table));
  }

  /** The elements of an anonymous set of mappings or of a named map. */
  mapElements(data: NftExpr): NftMapElement[] | null {
    let elements: NftExpr[];
    if (data.kind === 'set') elements = data.elements;
    else if (data.kind === 'setref') {
      const set = this.table.sets.find((s) => s.name === data.name);
      if (!set || set.map === null) return null;
      elements = set.elements;
    } else return null;
    const out: NftMapElement[] = [];
    for (const raw of elements) {
      const outer = unwrap(raw);
      if (outer.expr.kind !== 'mapping') return null;
      const key = unwrap(outer.expr.key);
      out.push({
        key: key.expr,
        value: outer.expr.value,
        comment: key.comment ?? outer.comment,
        text: this.text(raw),
      });
    }
    return out;
  }

  /** Atoms saying "the packet's `key` equals this element's key", one per concatenated part. */
  elementAtoms(key: NftExpr, elementKey: NftExpr): Atom[] | null {
    const keys = key.kind === 'concat' ? key.items : [key];
    const values = elementKey.kind === 'concat' ? elementKey.items : [elementKey];
    if (keys.length !== values.length) return null;
    const out: Atom[] = [];
    keys.forEach((k, i) =>
      out.push(...nftMatchAtoms(this.table, { kind: 'match', op: '==', left: k, right: values[i]! })),
    );
    return out;
  }

  chainMayDecide(chain: NftChain, visiting = new Set<NftChain>()): boolean {
    const known = this.mayDecide.get(chain);
    if (known !== undefined) return known;
    if (visiting.has(chain)) return false;
    visiting.add(chain);
    let result = false;
    const targets = (e: NftExpr | undefined): string[] => {
      if (!e) return [];
      if (e.kind === 'verdict') return e.target ? [e.target] : ['#decides'];
      return (this.mapElements(e) ?? []).flatMap((el) => targets(el.value));
    };
    for (const rule of chain.rules) {
      for (const s of rule.stmts) {
        let names: string[] = [];
        if (s.kind === 'verdict')
          names =
            s.verdict === 'jump' || s.verdict === 'goto'
              ? [s.target ?? '']
              : s.verdict === 'continue' || s.verdict === 'return'
                ? []
                : ['#decides'];
        else if (s.kind === 'vmap') names = targets(s.data);
        else if (s.kind === 'nat' || s.kind === 'reject' || s.kind === 'queue') names = ['#decides'];
        for (const n of names) {
          const c = this.chains.get(n);
          if (n === '#decides' || (c && this.chainMayDecide(c, visiting))) result = true;
        }
        if (result) break;
      }
      if (result) break;
    }
    visiting.delete(chain);
    this.mayDecide.set(chain, result);
    return result;
  }

  /** What a verdict (as a statement or a map value) does. */
  verdictAction(verdict: string, target: string | undefined): EvalAction {
    switch (verdict) {
      case 'accept':
        return { kind: 'final', verdict: 'accept', detail: 'accept: no translation' };
      case 'drop':
        return { kind: 'final', verdict: 'drop', detail: 'drop' };
      case 'return':
        return { kind: 'final', verdict: 'return', detail: 'return' };
      case 'continue':
        return { kind: 'continue', marks: false };
      case 'jump':
      case 'goto': {
        const chain = target ? this.chains.get(target) : undefined;
        if (!chain)
          return { kind: 'final', verdict: 'undecided', detail: `no chain ${target} in this table` };
        if (!this.chainMayDecide(chain)) return { kind: 'continue', marks: true };
        return { kind: verdict === 'jump' ? 'call' : 'goto', chain: this.chain(chain) };
      }
      default:
        return { kind: 'final', verdict: 'undecided', detail: `${verdict} is not followed` };
    }
  }

  private valueAction(value: NftExpr): EvalAction {
    if (value.kind === 'verdict') return this.verdictAction(value.verdict, value.target);
    return { kind: 'final', verdict: 'undecided', detail: `map value ${this.text(value)}` };
  }

  /** Options of a map lookup: shares for numgen / jhash keys, the packet's own value otherwise. */
  choose(key: NftExpr, data: NftExpr, then: (value: NftExpr) => EvalAction): ChooseOption[] | null {
    const elements = this.mapElements(data);
    if (!elements) return null;
    const spread = key.kind === 'numgen' || key.kind === 'jhash' || key.kind === 'symhash' ? key : null;
    const keyText = this.text(key);
    return elements.map((el) => {
      let share = null;
      if (spread) {
        const [lo, hi] = el.key.kind === 'range' ? [el.key.low, el.key.high] : [el.key, el.key];
        const from = lo.kind === 'immediate' ? Number(lo.value) : NaN;
        const to = hi.kind === 'immediate' ? Number(hi.value) : NaN;
        const inMod = Math.max(
          0,
          Math.min(to, spread.offset + spread.mod - 1) - Math.max(from, spread.offset) + 1,
        );
        const r = Number.isNaN(inMod) ? null : rational(inMod, spread.mod);
        share = r ? { kernel: r, intended: r } : null;
      }
      return {
        share,
        chosenBy: share ? null : `${keyText} (${this.text(el.key)})`,
        then: then(el.value),
      };
    });
  }

  endpointOf(stmt: Stmt<'nat'>, addr: NftExpr | undefined, port: NftExpr | undefined): EndpointTarget {
    if (stmt.type === 'redirect') {
      const p = port ? this.text(port) : null;
      return { kind: 'redirect', to: p ? `:${p}` : ':', address: null, port: p };
    }
    const a = addr ? this.text(addr) : null;
    const p = port ? this.text(port) : null;
    const bracket = a !== null && p !== null && a.includes(':') ? `[${a}]` : a;
    return { kind: 'dnat', to: `${bracket ?? ''}${p !== null ? `:${p}` : ''}`, address: a, port: p };
  }

  private natAction(stmt: Stmt<'nat'>): EvalAction {
    if (stmt.type === 'snat' || stmt.type === 'masquerade')
      return { kind: 'final', verdict: 'undecided', detail: `${stmt.type} is a source translation` };
    const addr = stmt.addr;
    if (addr && addr.kind === 'map') {
      // `dnat to KEY map { k : addr . port }`: one endpoint per element.
      const options = this.choose(addr.key, addr.data, (value) => {
        const parts = value.kind === 'concat' ? value.items : [value];
        return { kind: 'endpoint', endpoint: this.endpointOf(stmt, parts[0], parts[1] ?? stmt.port) };
      });
      if (options) return { kind: 'choose', options };
      return { kind: 'final', verdict: 'undecided', detail: `map ${this.text(addr)} is not readable` };
    }
    return { kind: 'endpoint', endpoint: this.endpointOf(stmt, addr, stmt.port) };
  }

  actionOf(rule: NftRule): EvalAction {
    let marks = false;
    for (const s of rule.stmts) {
      switch (s.kind) {
        case 'mangle':
          if (s.key.kind === 'meta' && s.key.key === 'mark') marks = true;
          break;
        case 'verdict':
          return this.verdictAction(s.verdict, s.target);
        case 'vmap': {
          const options = this.choose(s.key, s.data, (v) => this.valueAction(v));
          return options
            ? { kind: 'choose', options }
            : {
                kind: 'final',
                verdict: 'undecided',
                detail: `verdict map ${this.text(s.data)} is not readable`,
              };
        }
        case 'nat':
          return this.natAction(s);
        case 'reject':
          return { kind: 'final', verdict: 'reject', detail: 'reject' };
        case 'queue':
          return { kind: 'final', verdict: 'undecided', detail: 'queued to user space' };
        default:
          break;
      }
    }
    return { kind: 'continue', marks };
  }

  rule(rule: NftRule): EvalRule {
    let r = this.rules.get(rule);
    if (!r) this.rules.set(rule, (r = new NftEvalRule(this, rule)));
    return r;
  }

  chain(chain: NftChain): EvalChain {
    let c = this.evalChains.get(chain);
    if (!c) this.evalChains.set(chain, (c = new NftEvalChain(this, chain)));
    return c;
  }
}

class NftEvalRule implements EvalRule {
  private actionMemo: EvalAction | undefined;

  constructor(
    private readonly ev: NftEval,
    private readonly rule: NftRule,
  ) {}

  get ref(): RuleRef {
    return this.ev.ref(this.rule);
  }

  get atoms(): readonly Atom[] {
    return this.ev.atoms(this.rule);
  }

  get action(): EvalAction {
    return (this.actionMemo ??= this.ev.actionOf(this.rule));
  }
}

class NftEvalChain implements EvalChain {
  private rulesMemo: EvalRule[] | undefined;

  constructor(
    private readonly ev: NftEval,
    private readonly chain: NftChain,
  ) {}

  get name(): string {
    return this.chain.name;
  }

  get rules(): readonly EvalRule[] {
    return (this.rulesMemo ??= this.chain.rules.map((r) => this.ev.rule(r)));
  }
}
