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
  steps: TraceStep[];
  choices: string[];
  /** Confirmed conntrack entries per namespace, shared between forks until one adds to them. */
  conns: ReadonlyMap<string, readonly Conn[]>;
  direction: 'original' | 'reply';
  /** Namespace the packet is in. */
  ns: string;
  /** The packet as the last step showed it; shared by steps while the packet does not change. */
  view: PacketView | null;
}

export function branchFork(b: Branch, probability: number, choice: string | null): Branch {
  return {
    ...b,
    pkt: packetCopy(b.pkt),
    probability: b.probability * probability,
    steps: b.steps.slice(),
    choices: choice === null ? b.choices.slice() : [...b.choices, choice],
  };
}

export interface StepInput {
  kind: StepKind;
  hook: string;
  family: string;
  table: string | null;
  chain: string | null;
  rule: StepRule | null;
  verdict: string;
  note?: string | null;
}

/**
 * Records a step. `before` is the packet view before the step's effect; the recorded packet is the
 * packet as it is now, with the fields the step changed named.
 */
export function stepAdd(b: Branch, s: StepInput, before: PacketView = branchView(b)): void {
  const packet = branchView(b);
  b.steps.push({
    kind: s.kind,
    host: b.ns,
    direction: b.direction,
    hook: s.hook,
    family: s.family,
    table: s.table,
    chain: s.chain,
    rule: s.rule,
    baseChain: null,
    priority: null,
    source: null,
    verdict: s.verdict,
    packet,
    changed: viewChanges(before, packet),
    note: s.note ?? null,
  });
}

/** The packet's view now: the last one while nothing changed, else a new one. */
export function branchView(b: Branch): PacketView {
  if (b.view && viewCurrent(b.view, b.pkt)) return b.view;
  return (b.view = packetView(b.pkt));
}

export function connsAdd(b: Branch, ns: string, conn: Conn): void {
  const next = new Map(b.conns);
  next.set(ns, [...(b.conns.get(ns) ?? []), conn]);
  b.conns = next;
}
