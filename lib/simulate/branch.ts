import type { Conn, Packet } from './packet';
import { packetCopy, packetView, viewChanges, viewCurrent } from './packet';
import type { PacketView, StepKind, StepRule, TraceStep } from './result';

/**
 * One possible history of the packet. A random choice (statistic, numgen, multipath) forks it;
 * each fork carries its probability and the choices that led to it.
 */
export interface Branch {
  pkt: Packet;
  probability: number;
  /** The newest step, earlier ones linked behind it: a fork shares the steps made before it. */
  last: StepNode | null;
  choices: string[];
  /** Confirmed conntrack entries, oldest first, shared between forks until one adds to them. */
  conns: readonly NsConn[];
  direction: 'original' | 'reply';
  /** Namespace the packet is in. */
  ns: string;
  /** The packet as the last step showed it; shared by steps while the packet does not change. */
  view: PacketView | null;
}

export interface StepNode {
  readonly step: TraceStep;
  readonly prev: StepNode | null;
  /** Steps up to and including this one. */
  readonly count: number;
}

export function branchFork(b: Branch, probability: number, choice: string | null): Branch {
  return {
    pkt: packetCopy(b.pkt),
    probability: b.probability * probability,
    last: b.last,
    choices: choice === null ? b.choices.slice() : [...b.choices, choice],
    conns: b.conns,
    direction: b.direction,
    ns: b.ns,
    view: b.view,
  };
}

/** The branch's steps, oldest first. */
export function branchSteps(b: Branch): TraceStep[] {
  const out = new Array<TraceStep>(b.last?.count ?? 0);
  for (let n = b.last; n; n = n.prev) out[n.count - 1] = n.step;
  return out;
}

/** The newest step; the walk only asks after adding one. */
export function lastStep(b: Branch): TraceStep {
  if (!b.last) throw new Error('the branch has no step yet');
  return b.last.step;
}

/**
 * The base chain a rule walk runs under, named on each of its steps. `replay`: the nat chains
 * replayed for a packet of an established connection, which conntrack's binding stands for.
 */
export interface StepTag {
  baseChain: string;
  priority: number;
  source: TraceStep['source'];
  note: string | null;
  replay: boolean;
}

const replayNote =
  'later packets skip the nat table; conntrack applies the binding the first packet made through this rule';

export interface StepInput {
  kind: StepKind;
  hook: string;
  family: string;
  table: string | null;
  chain: string | null;
  rule: StepRule | null;
  verdict: string;
  note?: string | null;
  tag?: StepTag | null;
}

/**
 * Records a step. `before` is the packet view before the step's effect; the recorded packet is the
 * packet as it is now, with the fields the step changed named.
 */
export function stepAdd(b: Branch, s: StepInput, before?: PacketView): void {
  const view = branchView(b);
  before ??= view;
  const tag = s.tag ?? null;
  let kind = s.kind;
  let packet = view;
  let note = s.note ?? null;
  if (tag?.replay) {
    if (kind === 'rule') kind = 'conntrack';
    packet = { ...view, ctstate: 'ESTABLISHED' };
    note = replayNote;
  } else if (tag) note ??= tag.note;
  const step: TraceStep = {
    kind,
    host: b.ns,
    direction: b.direction,
    hook: s.hook,
    family: s.family,
    table: s.table,
    chain: s.chain,
    rule: s.rule,
    baseChain: tag ? tag.baseChain : null,
    priority: tag ? tag.priority : null,
    source: tag ? tag.source : null,
    verdict: s.verdict,
    packet,
    changed: viewChanges(before, view),
    note,
  };
  b.last = { step, prev: b.last, count: (b.last?.count ?? 0) + 1 };
}

/** The packet's view now: the last one while nothing changed, else a new one. */
export function branchView(b: Branch): PacketView {
  if (b.view && viewCurrent(b.view, b.pkt)) return b.view;
  return (b.view = packetView(b.pkt));
}

/** A conntrack entry of one namespace. */
export interface NsConn {
  ns: string;
  conn: Conn;
}

export function connsAdd(b: Branch, ns: string, conn: Conn): void {
  b.conns = [...b.conns, { ns, conn }];
}
