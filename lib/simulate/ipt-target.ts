import type { IptRule, KnownTarget } from '../model/iptables';
import { ipText } from './ip';
import type { MatchCtx } from './ipt-match';
import type { NatChoice, NatRange } from './nat';
import {
  dnatApply,
  masqueradeSource,
  natChoices,
  natRangeParse,
  redirectDestination,
  snatApply,
} from './nat';
import type { Packet } from './packet';
import type { Effect } from './verdict-types';
import { acceptEffect, continueEffect, dropEffect } from './verdict-types';

/**
 * What a matched rule's target does: the verdict it hands to the chain walk and how it changes the
 * packet. Several outcomes mean a choice the kernel makes per flow (a NAT address range).
 */
export interface Applied {
  /** An Applied is the chain walk's outcome of a rule that matched for sure, as it stands. */
  matched: true;
  effect: Effect;
  /** How the step shows it: ACCEPT, jump KUBE-SVC-…, DNAT to 10.0.0.5:8080, MARK or 0x4000. */
  verdict: string;
  note: string | null;
  p: number;
  choice: string | null;
  mutate: ((pkt: Packet) => void) | null;
}

function one(
  effect: Effect,
  verdict: string,
  mutate: Applied['mutate'] = null,
  note: string | null = null,
): Applied[] {
  return [{ matched: true, effect, verdict, note, p: 1, choice: null, mutate }];
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** MARK / CONNMARK arithmetic, as the kernel's xt_MARK and xt_CONNMARK do it. */
function markOps(o: {
  setXmark?: { value: { value: number; mask: number | null } };
  setMark?: { value: { value: number; mask: number | null } };
  andMark?: { value: number };
  orMark?: { value: number };
  xorMark?: { value: number };
}): ((mark: number) => number) | null {
  if (o.setXmark) {
    const { value, mask } = o.setXmark.value;
    const m = mask ?? 0xffffffff;
    return (mark) => ((mark & ~m) ^ value) >>> 0;
  }
  if (o.setMark) {
    const { value, mask } = o.setMark.value;
    const m = mask ?? 0xffffffff;
    return (mark) => ((mark & ~m) | value) >>> 0;
  }
  if (o.andMark) return (mark) => (mark & o.andMark!.value) >>> 0;
  if (o.orMark) return (mark) => (mark | o.orMark!.value) >>> 0;
  if (o.xorMark) return (mark) => (mark ^ o.xorMark!.value) >>> 0;
  return null;
}

function natOutcomes(
  kind: 'DNAT' | 'SNAT',
  choices: NatChoice[] | string,
  apply: (pkt: Packet, c: NatChoice) => void,
  describe: (c: NatChoice) => string,
  note: string | null,
): Applied[] {
  if (typeof choices === 'string') return one({ type: 'undecided', reason: choices }, kind);
  return choices.map((c) => ({
    matched: true,
    effect: acceptEffect,
    verdict: describe(c),
    note,
    p: c.p,
    choice: c.choice,
    mutate: (pkt) => apply(pkt, c),
  }));
}

function endpointText(pkt: Packet, c: NatChoice, dir: 'src' | 'dst'): string {
  const addr = c.addr ?? (dir === 'dst' ? pkt.dst : pkt.src);
  const a = pkt.family === 'ip6' ? `[${ipText(addr)}]` : ipText(addr);
  return c.port !== null ? `${a}:${c.port}` : ipText(addr);
}

const ranges = new WeakMap<object, NatRange | null>();

/** The parsed NAT range of a target option, once per rule (`ports`: a `--to-ports` value). */
function rangeOf(
  opt: { value: string } | undefined,
  family: Packet['family'],
  ports = false,
): NatRange | null {
  if (!opt) return null;
  let r = ranges.get(opt);
  if (r === undefined)
    ranges.set(opt, (r = ports ? natRangeParse(`:${opt.value}`, 'ip') : natRangeParse(opt.value, family)));
  return r;
}

function knownTarget(ctx: MatchCtx, pkt: Packet, t: KnownTarget): Applied[] {
  switch (t.name) {
    case 'ACCEPT':
      return one(acceptEffect, 'ACCEPT');
    case 'DROP':
      return one(dropEffect, 'DROP');
    case 'RETURN':
      return one({ type: 'return' }, 'RETURN');
    case 'REJECT':
      return one(
        { type: 'reject' },
        `REJECT${t.options.rejectWith ? ` --reject-with ${t.options.rejectWith.value}` : ''}`,
      );
    case 'QUEUE':
      return one({ type: 'undecided', reason: 'QUEUE hands the packet to a userspace program' }, 'QUEUE');
    case 'DNAT': {
      const text = t.options.toDestination?.value;
      const range = rangeOf(t.options.toDestination, pkt.family);
      if (!range)
        return one(
          { type: 'undecided', reason: `DNAT: cannot read --to-destination '${text ?? ''}'` },
          'DNAT',
        );
      return natOutcomes(
        'DNAT',
        natChoices(range, pkt.dport),
        dnatApply,
        (c) => `DNAT to ${endpointText(pkt, c, 'dst')}`,
        null,
      );
    }
    case 'SNAT': {
      const text = t.options.toSource?.value;
      const range = rangeOf(t.options.toSource, pkt.family);
      if (!range)
        return one({ type: 'undecided', reason: `SNAT: cannot read --to-source '${text ?? ''}'` }, 'SNAT');
      const note = t.options.randomFully
        ? 'source port chosen at random (--random-fully); shown unchanged'
        : null;
      return natOutcomes(
        'SNAT',
        natChoices(range, pkt.sport),
        snatApply,
        (c) => `SNAT to ${endpointText(pkt, c, 'src')}`,
        note,
      );
    }
    case 'MASQUERADE': {
      if (!pkt.oif || !pkt.nexthop)
        return one(
          { type: 'undecided', reason: 'MASQUERADE outside POSTROUTING: no outgoing interface' },
          'MASQUERADE',
        );
      const src = masqueradeSource(ctx.ns, pkt.oif, pkt.nexthop, pkt.family);
      if (!src)
        return one(
          dropEffect,
          'MASQUERADE',
          null,
          `${pkt.oif} has no usable address: the kernel drops the packet`,
        );
      const ports = rangeOf(t.options.toPorts, pkt.family, true);
      const port = ports?.portFrom ?? null;
      const note =
        t.options.randomFully || t.options.random ? 'source port chosen at random; shown unchanged' : null;
      const c: NatChoice = {
        addr: src,
        port:
          port !== null && (pkt.sport === null || pkt.sport < port || pkt.sport > ports!.portTo!)
            ? port
            : null,
        p: 1,
        choice: null,
      };
      return one(acceptEffect, `MASQUERADE as ${ipText(src)} (${pkt.oif})`, (p) => snatApply(p, c), note);
    }
    case 'REDIRECT': {
      const dst = redirectDestination(ctx.ns, pkt);
      if (!dst)
        return one(
          dropEffect,
          'REDIRECT',
          null,
          `${pkt.iif ?? 'the incoming interface'} has no address: the kernel drops the packet`,
        );
      const ports = rangeOf(t.options.toPorts, pkt.family, true);
      const c: NatChoice = { addr: dst, port: ports?.portFrom ?? null, p: 1, choice: null };
      return one(acceptEffect, `REDIRECT to ${endpointText(pkt, c, 'dst')}`, (p) => dnatApply(p, c));
    }
    case 'MARK': {
      const op = markOps(t.options);
      if (!op) return one({ type: 'undecided', reason: 'MARK without an operation' }, 'MARK');
      const next = op(pkt.mark);
      return one(continueEffect, `MARK set ${hex(next)}`, (p) => {
        p.mark = op(p.mark);
      });
    }
    case 'CONNMARK': {
      const o = t.options;
      if (o.saveMark) {
        const nf = o.nfmask?.value ?? o.mask?.value ?? 0xffffffff;
        const ctm = o.ctmask?.value ?? o.mask?.value ?? 0xffffffff;
        return one(continueEffect, 'CONNMARK save', (p) => {
          p.ct.mark = ((p.ct.mark & ~ctm) ^ (p.mark & nf)) >>> 0;
        });
      }
      if (o.restoreMark) {
        const nf = o.nfmask?.value ?? o.mask?.value ?? 0xffffffff;
        const ctm = o.ctmask?.value ?? o.mask?.value ?? 0xffffffff;
        return one(continueEffect, 'CONNMARK restore', (p) => {
          p.mark = ((p.mark & ~nf) ^ (p.ct.mark & ctm)) >>> 0;
        });
      }
      const op = markOps(o);
      if (!op) return one({ type: 'undecided', reason: 'CONNMARK without an operation' }, 'CONNMARK');
      return one(continueEffect, `CONNMARK set ${hex(op(pkt.ct.mark))}`, (p) => {
        p.ct.mark = op(p.ct.mark);
      });
    }
    case 'NOTRACK':
      return one(continueEffect, 'NOTRACK', (p) => {
        p.ct.state = 'UNTRACKED';
      });
    case 'CT':
      if (t.options.notrack)
        return one(continueEffect, 'CT --notrack', (p) => {
          p.ct.state = 'UNTRACKED';
        });
      return one(
        continueEffect,
        'CT',
        null,
        'conntrack template settings (helper, zone, timeout) are recorded, not simulated',
      );
    case 'TPROXY':
      return one(
        { type: 'undecided', reason: 'TPROXY hands the packet to a local transparent socket' },
        'TPROXY',
      );
    case 'LOG':
    case 'NFLOG':
    case 'TRACE':
    case 'TCPMSS':
    case 'CHECKSUM':
    case 'DSCP':
    case 'TTL':
    case 'HL':
      return one(continueEffect, t.name);
  }
}

/** A NAT range that maps every packet to the same address and port. */
function natFixed(range: NatRange | null): boolean {
  return (
    range !== null &&
    range.addrFrom !== null &&
    range.addrTo !== null &&
    range.addrFrom.value === range.addrTo.value &&
    range.portFrom === range.portTo
  );
}

/** Whether the rule's target does the same to every packet (of its table's family). */
function targetFixed(rule: IptRule, family: Packet['family']): boolean {
  const t = rule.target;
  if (t === null || 'chain' in t || 'reason' in t) return true;
  switch (t.name) {
    case 'DNAT':
      return natFixed(rangeOf(t.options.toDestination, family));
    case 'SNAT':
      return natFixed(rangeOf(t.options.toSource, family));
    case 'MASQUERADE':
    case 'REDIRECT':
    case 'MARK':
      return false;
    case 'CONNMARK':
      return Boolean(t.options.saveMark || t.options.restoreMark);
    default:
      return true;
  }
}

/**
 * The one packet field a MARK or CONNMARK --set-… outcome depends on (the mark it starts from),
 * so a rule can keep its last outcome for the next packet with the same mark; null for others.
 */
export function iptTargetInput(rule: IptRule, pkt: Packet): number | null {
  const t = rule.target;
  if (t === null || 'chain' in t || 'reason' in t) return null;
  if (t.name === 'MARK') return pkt.mark;
  if (t.name === 'CONNMARK') return pkt.ct.mark;
  return null;
}

/** The target's outcome when it is the same for every packet (to keep with the rule), else null. */
export function iptTargetFixed(ctx: MatchCtx, pkt: Packet, rule: IptRule): Applied[] | null {
  return targetFixed(rule, pkt.family) ? iptTargetApply(ctx, pkt, rule) : null;
}

/** What the rule's target does to this packet. */
export function iptTargetApply(ctx: MatchCtx, pkt: Packet, rule: IptRule): Applied[] {
  const t = rule.target;
  if (t === null) return one(continueEffect, 'counted (no target)');
  if ('chain' in t)
    return one(
      { type: rule.goto ? 'goto' : 'jump', chain: t.name },
      `${rule.goto ? 'goto' : 'jump'} ${t.name}`,
    );
  if ('reason' in t) return one({ type: 'undecided', reason: `-j ${t.name}: ${t.reason}` }, t.name);
  return knownTarget(ctx, pkt, t);
}

/** Targets that neither decide nor change the packet: an undecidable match before them changes nothing. */
export function iptTargetHarmless(rule: IptRule): boolean {
  const t = rule.target;
  if (t === null) return true;
  return !('chain' in t) && !('reason' in t) && ['LOG', 'NFLOG', 'TRACE'].includes(t.name);
}
