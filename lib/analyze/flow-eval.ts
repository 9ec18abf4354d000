import type { Atom } from './atoms';
import { atomDim, atomImplied, atomsDisjoint } from './atoms';
import type { Branch, Endpoint, Outcome, Probability } from './flow-model';
import type { Rational } from './rational';
import {
  rationalAdd,
  rationalEquals,
  rationalMul,
  rationalOne,
  rationalSub,
  rationalText,
  rationalToNumber,
  rationalZero,
} from './rational';
import type { RuleRef } from './rule-ref';
import { statisticStepShare, type StepShare } from './statistic-cascade';

/**
 * Follows one flow's packets from its entry through the chains below it, the way the kernel walks
 * them: rule by rule, into called chains and back, splitting the packets' share at every statistic
 * match or numgen map, and splitting them into branches where a rule tests something the flow's
 * catch does not decide (a source range, an address type). iptables and nft rules reach it in one
 * shape (EvalRule), made by dnat-flows.ts and nft-flows.ts.
 */

export interface EndpointTarget {
  kind: 'dnat' | 'redirect';
  to: string;
  address: string | null;
  port: string | null;
}

export interface EvalChain {
  name: string;
  rules: readonly EvalRule[];
}

export type EvalAction =
  | { kind: 'endpoint'; endpoint: EndpointTarget }
  | { kind: 'call' | 'goto'; chain: EvalChain }
  /** Shares (numgen, a cascade of nth) or packet fields (a map keyed by the address) pick one option. */
  | { kind: 'choose'; options: readonly ChooseOption[] }
  | { kind: 'final'; verdict: 'accept' | 'drop' | 'reject' | 'return' | 'undecided'; detail: string }
  /** The packet goes on; `marks` when the rule marks it (for masquerading) on its way. */
  | { kind: 'continue'; marks: boolean };

export interface ChooseOption {
  /** The option's share of packets; null when a packet field decides (then `chosenBy` says which). */
  share: StepShare | null;
  chosenBy: string | null;
  then: EvalAction;
}

export interface EvalRule {
  readonly ref: RuleRef;
  readonly atoms: readonly Atom[];
  readonly action: EvalAction;
  /** The dimensions the rule tests (`atomDim`), when known without building its atoms. */
  readonly dims?: readonly string[];
}

/**
 * A share of the flow's packets, kept as the expression that makes it (products of step shares,
 * sums of ways) and evaluated to exact fractions only for the results: a walk of a 10,000-service
 * node makes hundreds of thousands of shares, and bigint fractions for each were most of its cost.
 */
type Mass =
  | { readonly kind: 'zero' }
  | { readonly kind: 'one' }
  | { readonly kind: 'mul'; readonly of: Mass; readonly factor: StepShare; value?: MassValue }
  | { readonly kind: 'sum'; readonly parts: readonly Mass[]; value?: MassValue }
  /** Picked by a packet field: no share. */
  | { readonly kind: 'keyed'; readonly of: Mass; readonly chosenBy: string };

interface MassValue {
  kernel: Rational;
  intended: Rational;
  chosenBy: string | null;
}

const zeroMass: Mass = { kind: 'zero' };
const oneMass: Mass = { kind: 'one' };

interface EndpointAcc {
  target: EndpointTarget;
  mass: Mass;
  rule: RuleRef;
  via: RuleRef[];
}

interface Acc {
  when: string[];
  endpoints: Map<string, EndpointAcc>;
  outcomes: { kind: Outcome['kind']; mass: Mass; rule: RuleRef | null; detail: string }[];
  marks: RuleRef[];
  affinity: { seconds: number | null; rules: RuleRef[] } | null;
  why: string[];
  /** Share that left the flow's rules without a decision, and the last rule it passed. */
  returned: Mass;
  lastRule: RuleRef | null;
}

const MAX_DEPTH = 64;
const MAX_BRANCHES = 16;

/** Nothing comes back from an action, nothing leaves its chain: shared, never changed. */
const NONE_BACK: ActionBack = Object.freeze({ comeBack: zeroMass, returned: zeroMass });

interface ActionBack {
  comeBack: Mass;
  returned: Mass;
}

function massMul(m: Mass, s: StepShare): Mass {
  if (m.kind === 'zero' || s.kernel.num === 0n) return zeroMass;
  return { kind: 'mul', of: m, factor: s };
}
function massAdd(a: Mass, b: Mass): Mass {
  if (a.kind === 'zero') return b;
  if (b.kind === 'zero') return a;
  return { kind: 'sum', parts: [a, b] };
}
// Step shares come from statisticStepShare's cache: each complement is computed once.
const complements = new WeakMap<StepShare, StepShare>();

function shareComplement(s: StepShare): StepShare {
  let c = complements.get(s);
  if (!c) {
    c = { kernel: rationalSub(rationalOne, s.kernel), intended: rationalSub(rationalOne, s.intended) };
    complements.set(s, c);
  }
  return c;
}
function isZero(m: Mass): boolean {
  return m.kind === 'zero';
}

const ZERO_VALUE: MassValue = Object.freeze({ kernel: rationalZero, intended: rationalZero, chosenBy: null });
const ONE_VALUE: MassValue = Object.freeze({ kernel: rationalOne, intended: rationalOne, chosenBy: null });

/** `xs` and then `x`, in an array of its own of exactly that length. */
function appended<T>(xs: readonly T[], x: T): T[] {
  const out = new Array<T>(xs.length + 1);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i]!;
  out[xs.length] = x;
  return out;
}

/**
 * Exact values of shares, each computed once per analysis: a node's flows multiply the same few
 * step shares in the same order (every 5-endpoint service takes 1/5, then 1/4 of the 4/5 left, ...),
 * so a product, sum or printed probability is found by the values it combines instead of being
 * worked out on bigints again for each of ten thousand flows. Give one to all flows of an analysis.
 */
export class ShareValues {
  private readonly products = new WeakMap<MassValue, Map<StepShare, MassValue>>();
  private readonly sums = new WeakMap<MassValue, Map<MassValue, MassValue>>();
  private readonly printed = new WeakMap<MassValue, Printed>();

  /** The exact value of a share. */
  of(m: Mass): MassValue {
    switch (m.kind) {
      case 'zero':
        return ZERO_VALUE;
      case 'one':
        return ONE_VALUE;
      case 'keyed':
        return { ...this.of(m.of), chosenBy: m.chosenBy };
      case 'mul':
        return (m.value ??= this.times(this.of(m.of), m.factor));
      case 'sum': {
        if (m.value) return m.value;
        let v = ZERO_VALUE;
        for (const p of m.parts) v = this.plus(v, this.of(p));
        return (m.value = v);
      }
    }
  }

  private times(v: MassValue, f: StepShare): MassValue {
    let known = this.products.get(v);
    if (!known) this.products.set(v, (known = new Map()));
    let product = known.get(f);
    if (!product)
      known.set(
        f,
        (product = {
          kernel: rationalMul(v.kernel, f.kernel),
          intended: rationalMul(v.intended, f.intended),
          chosenBy: v.chosenBy,
        }),
      );
    return product;
  }

  private plus(a: MassValue, b: MassValue): MassValue {
    if (a === ZERO_VALUE) return b;
    let known = this.sums.get(a);
    if (!known) this.sums.set(a, (known = new Map()));
    let sum = known.get(b);
    if (!sum)
      known.set(
        b,
        (sum = {
          kernel: rationalAdd(a.kernel, b.kernel),
          intended: rationalAdd(a.intended, b.intended),
          chosenBy: a.chosenBy ?? b.chosenBy,
        }),
      );
    return sum;
  }

  /** The value as results print it, and whether it is exactly 1. */
  print(v: MassValue): Printed {
    let p = this.printed.get(v);
    if (!p)
      this.printed.set(
        v,
        (p = {
          probability: { value: rationalToNumber(v.kernel), fraction: rationalText(v.intended) },
          intendedOne: rationalEquals(v.intended, rationalOne),
          kernelOne: rationalEquals(v.kernel, rationalOne),
        }),
      );
    return p;
  }

  /** The share as a result's probability; null when a packet field, not a share, decides. */
  probability(m: Mass): Probability | null {
    const v = this.of(m);
    return v.chosenBy !== null ? null : this.print(v).probability;
  }
}

interface Printed {
  /** Shared by every result with this value: results are never changed. */
  probability: Probability;
  intendedOne: boolean;
  kernelOne: boolean;
}

function newAcc(when: string[]): Acc {
  return {
    when,
    endpoints: new Map(),
    outcomes: [],
    marks: [],
    affinity: null,
    why: [],
    returned: zeroMass,
    lastRule: null,
  };
}

class Walker {
  readonly accs: Acc[] = [];
  /** The dimensions each context tests: a flow walks many chains under one context. */
  private readonly ctxDims = new Map<readonly Atom[], ReadonlySet<string>>();

  constructor(private readonly keyOf: (e: EndpointTarget, rule: RuleRef) => string) {}

  fork(when: string[]): Acc | null {
    if (this.accs.length >= MAX_BRANCHES) return null;
    const acc = newAcc(when);
    this.accs.push(acc);
    return acc;
  }

  /** Runs rules from `start`; returns the share that leaves them undecided (end of chain, RETURN). */
  rules(
    rules: readonly EvalRule[],
    ctx: readonly Atom[],
    mass: Mass,
    acc: Acc,
    via: RuleRef[],
    depth: number,
  ): Mass {
    let left = mass;
    let returned = zeroMass;
    // Indexed loops here and below: a walk of a large node runs them millions of times.
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (isZero(left)) break;
      if (depth === 0) acc.lastRule = r.ref;
      const action = r.action;
      if (action.kind === 'continue') {
        if (action.marks) {
          // A rule on dimensions the flow says nothing about cannot contradict it: no atoms needed.
          const overlaps = !r.dims || this.overlaps(r.dims, ctx);
          if (!overlaps || !atomsDisjoint(ctx, r.atoms)) acc.marks.push(r.ref);
        }
        continue;
      }
      if (r.atoms.length > 0 && atomsDisjoint(ctx, r.atoms)) continue;
      let conds: Atom[] | null = null;
      let share: StepShare | null = null;
      let affinity: Atom | null = null;
      const atoms = r.atoms;
      for (let j = 0; j < atoms.length; j++) {
        const a = atoms[j]!;
        if (ctx.includes(a) || atomImplied(a, ctx)) continue;
        if (a.kind === 'chance' && a.step) {
          const s = statisticStepShare(a.step);
          share = share
            ? {
                kernel: rationalMul(share.kernel, s.kernel),
                intended: rationalMul(share.intended, s.intended),
              }
            : s;
        } else if (a.kind === 'stateful' && a.affinity) affinity = a;
        else (conds ??= []).push(a);
      }
      if (affinity && affinity.kind === 'stateful') {
        // Only clients the rules have seen match: the shares below are those of a new client.
        acc.affinity ??= { seconds: affinity.affinity!.seconds, rules: [] };
        acc.affinity.rules.push(r.ref);
        continue;
      }
      if (conds !== null) {
        const forked = this.fork([...acc.when, ...conds.map((a) => a.text)]);
        if (!forked) {
          acc.why.push(`not followed: ${r.ref.text} (more than ${MAX_BRANCHES} branches)`);
          continue;
        }
        const m = share ? massMul(left, share) : left;
        const back = this.action(r.action, r, [...ctx, ...conds], m, forked, via, depth);
        // What comes back would go on after this rule; those rules are not followed for the branch.
        forked.returned = massAdd(massAdd(forked.returned, back.returned), back.comeBack);
        forked.lastRule = r.ref;
        continue;
      }
      const taken = share ? massMul(left, share) : left;
      const back = this.action(r.action, r, ctx, taken, acc, via, depth);
      // left * (1 - share) rather than left - taken: denominators then grow by one factor per step, not squared.
      const rest = share ? massMul(left, shareComplement(share)) : zeroMass;
      left = massAdd(rest, back.comeBack);
      returned = massAdd(returned, back.returned);
    }
    return massAdd(returned, left);
  }

  private overlaps(dims: readonly string[], ctx: readonly Atom[]): boolean {
    let known = this.ctxDims.get(ctx);
    if (!known) this.ctxDims.set(ctx, (known = new Set(ctx.map(atomDim))));
    for (let i = 0; i < dims.length; i++) if (known.has(dims[i]!)) return true;
    return false;
  }

  /** What `action` of rule `r` does to `m`: `comeBack` continues after `r`, `returned` leaves its chain. */
  action(
    action: EvalAction,
    r: EvalRule,
    ctx: readonly Atom[],
    m: Mass,
    acc: Acc,
    via: RuleRef[],
    depth: number,
  ): ActionBack {
    switch (action.kind) {
      case 'continue':
        return { comeBack: m, returned: zeroMass };
      case 'endpoint': {
        const key = this.keyOf(action.endpoint, r.ref);
        const known = acc.endpoints.get(key);
        if (known) known.mass = massAdd(known.mass, m);
        else acc.endpoints.set(key, { target: action.endpoint, mass: m, rule: r.ref, via });
        return NONE_BACK;
      }
      case 'final':
        if (action.verdict === 'return') return { comeBack: zeroMass, returned: m };
        acc.outcomes.push({ kind: action.verdict, mass: m, rule: r.ref, detail: action.detail });
        return NONE_BACK;
      case 'call':
      case 'goto': {
        if (depth >= MAX_DEPTH) {
          acc.outcomes.push({
            kind: 'undecided',
            mass: m,
            rule: r.ref,
            detail: `chains nested deeper than ${MAX_DEPTH}`,
          });
          return NONE_BACK;
        }
        const back = this.rules(action.chain.rules, ctx, m, acc, appended(via, r.ref), depth + 1);
        return action.kind === 'call'
          ? { comeBack: back, returned: zeroMass }
          : { comeBack: zeroMass, returned: back };
      }
      case 'choose': {
        let comeBack = zeroMass;
        let returned = zeroMass;
        for (const option of action.options) {
          const om: Mass = option.share
            ? massMul(m, option.share)
            : { kind: 'keyed', of: m, chosenBy: option.chosenBy ?? 'a packet field' };
          const back = this.action(option.then, r, ctx, om, acc, via, depth);
          comeBack = massAdd(comeBack, back.comeBack);
          returned = massAdd(returned, back.returned);
        }
        // Shares that pick no option (a numgen value the map lacks) go on past the rule.
        if (action.options.every((o) => o.share !== null)) {
          let rest: StepShare = { kernel: rationalOne, intended: rationalOne };
          for (const o of action.options)
            rest = {
              kernel: rationalSub(rest.kernel, o.share!.kernel),
              intended: rationalSub(rest.intended, o.share!.intended),
            };
          comeBack = massAdd(comeBack, massMul(m, rest));
        }
        return { comeBack, returned };
      }
    }
  }
}

export interface FlowEvalInput {
  /** The flow's first rules: the entry, and any rules taking the same traffic right after it. */
  rules: readonly EvalRule[];
  /** What the flow's catch guarantees about its packets. */
  ctx: readonly Atom[];
  /** Two endpoints are one when their keys are equal (same rewrite by the same rule). */
  endpointKey?: (e: EndpointTarget, rule: RuleRef) => string;
  /** Says where packets that leave the flow undecided go on. */
  fallThrough: (last: RuleRef | null) => string;
  /** Shared by the flows of one analysis (see ShareValues); a flow of its own has its own. */
  values?: ShareValues;
}

/** The flow's branches, each with its endpoints and their shares. */
export function flowBranches(input: FlowEvalInput): Branch[] {
  const walker = new Walker(input.endpointKey ?? ((e, rule) => `${rule.chain}#${rule.index}:${e.to}`));
  const main = newAcc([]);
  // Forks are listed before the rest of the packets, in rule order.
  const back = walker.rules(input.rules, input.ctx, oneMass, main, [], 0);
  main.returned = massAdd(main.returned, back);
  const values = input.values ?? new ShareValues();
  return [...walker.accs, main].map((acc) => finish(acc, input.fallThrough, values));
}

function finish(acc: Acc, fallThrough: (last: RuleRef | null) => string, values: ShareValues): Branch {
  const endpoints: Endpoint[] = [];
  for (const e of acc.endpoints.values())
    endpoints.push({
      kind: e.target.kind,
      to: e.target.to,
      address: e.target.address,
      port: e.target.port,
      probability: values.probability(e.mass),
      chosenBy: values.of(e.mass).chosenBy,
      rule: e.rule,
      via: e.via,
    });
  const outcomes: Outcome[] = acc.outcomes
    .filter((o) => !isZero(o.mass))
    .map((o) => ({
      kind: o.kind,
      probability: values.probability(o.mass),
      rule: o.rule,
      detail: o.detail,
    }));
  if (!isZero(acc.returned))
    outcomes.push({
      kind: 'falls-through',
      probability: values.probability(acc.returned),
      rule: acc.lastRule,
      detail: fallThrough(acc.lastRule),
    });
  let total: Mass = zeroMass;
  for (const e of acc.endpoints.values()) total = massAdd(total, e.mass);
  const sum = values.print(values.of(total));
  const keyed = endpoints.find((e) => e.chosenBy !== null);
  const why = [...acc.why];
  if (keyed) why.push(`the endpoint is chosen by ${keyed.chosenBy}: one per key, no shares`);
  else if (!sum.intendedOne) {
    if (acc.endpoints.size === 0) why.push('no endpoints');
    for (const o of outcomes) why.push(`${o.probability?.fraction ?? 'a share'}: ${o.kind}: ${o.detail}`);
  } else if (!sum.kernelOne)
    why.push(
      `the kernel rounds each probability to a multiple of 2^-31: the shares add up to ${sum.probability.value}`,
    );
  return {
    when: acc.when,
    endpoints,
    outcomes,
    endpointSum: keyed ? null : sum.probability,
    why,
    marks: acc.marks,
    affinity: acc.affinity,
  };
}
