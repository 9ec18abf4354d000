import type { KernelPath } from '../kernel-trace/kernel-path-types';
import type { TraceLeg, TraceStep } from './result';

/**
 * A simulated path beside the path `nft monitor trace` recorded, in the terms both can show: the
 * namespaces in order, and in each the base chains run, the chains entered and each base chain's
 * verdict, the output interface, and where and as what packet it ended. iptables-legacy chains are
 * left out of the simulated side: the nft trace cannot see them (their NAT still shows in the packet).
 */

export interface VisitView {
  hook: string;
  priority: number | null;
  table: string;
  chain: string;
  chains: string[];
  verdict: string;
}

export interface HopView {
  ns: string;
  visits: VisitView[];
  oif: string | null;
}

export interface PathView {
  hops: HopView[];
  disposition: string;
  /** The rule engine of the step that ended the path, when a rule or policy did. */
  endedBy: TraceStep['source'];
  final: { ns: string; saddr: string | null; daddr: string | null; dport: number | null } | null;
}

function visitText(v: VisitView): string {
  return `${v.hook} ${v.table} ${v.chains.join(' > ')} -> ${v.verdict}`;
}

/** The verdict a base chain hands the hook, as nft trace prints it. */
function baseVerdict(step: TraceStep): string {
  const v = step.verdict;
  if (step.kind === 'policy') return v.toLowerCase();
  if (
    /^(ACCEPT|accept)$/.test(v) ||
    /^(DNAT|SNAT|MASQUERADE|REDIRECT|dnat|snat|masquerade|redirect)\b/.test(v)
  )
    return 'accept';
  if (/^(DROP|drop|REJECT|reject)\b/.test(v)) return 'drop';
  return v;
}

function jumpTarget(verdict: string): string | null {
  const m = /(?:^|, )(?:jump|goto) (\S+)$/.exec(verdict);
  return m ? m[1]! : null;
}

export function simulatedView(leg: TraceLeg): PathView {
  const hops: HopView[] = [];
  let visit: { v: VisitView; key: string } | null = null;
  for (const s of leg.steps) {
    let hop = hops.at(-1);
    if (!hop || hop.ns !== s.host) {
      hops.push((hop = { ns: s.host, visits: [], oif: null }));
      visit = null;
    }
    if (s.packet.oif !== null && s.kind !== 'deliver') hop.oif = s.packet.oif;
    if (s.kind === 'deliver') hop.oif = null;
    if (s.baseChain === null || s.table === null || s.source === 'iptables-legacy' || s.kind === 'conntrack')
      continue;
    const key = `${s.hook}\0${s.table}\0${s.baseChain}`;
    if (!visit || visit.key !== key || hop.visits.at(-1) !== visit.v) {
      visit = {
        key,
        v: {
          hook: s.hook.toLowerCase(),
          priority: s.priority,
          table: s.table,
          chain: s.baseChain,
          chains: [s.baseChain],
          verdict: '',
        },
      };
      hop.visits.push(visit.v);
    }
    const target = jumpTarget(s.verdict);
    if (target) visit.v.chains.push(target);
    visit.v.verdict = target ? '' : baseVerdict(s);
  }
  const disposition = {
    local: 'delivered',
    forwarded: 'left',
    dropped: 'dropped',
    rejected: 'rejected',
    undecided: 'undecided',
  }[leg.disposition];
  return {
    hops,
    disposition,
    endedBy: leg.steps.at(-1)?.source ?? null,
    final: { ns: leg.final.host, saddr: leg.final.src, daddr: leg.final.dst, dport: leg.final.dport },
  };
}

/** `nameOf` maps a namespace name to the snapshot name the simulator uses for it (default: the same). */
export function kernelView(path: KernelPath, nameOf: (netns: string) => string = (n) => n): PathView {
  return {
    hops: path.hops.map((h) => ({
      ns: nameOf(h.netns),
      oif: h.end === 'delivered' ? null : h.oif,
      visits: h.visits.map((v) => ({
        hook: (v.hook ?? '?').toLowerCase(),
        priority: v.priority,
        table: v.table,
        chain: v.chain,
        chains: v.chains,
        verdict: v.verdict ?? '',
      })),
    })),
    disposition: path.disposition,
    endedBy: null,
    final: path.final
      ? {
          ns: nameOf(path.final.netns),
          saddr: path.final.packet.saddr,
          daddr: path.final.packet.daddr,
          dport: path.final.packet.dport,
        }
      : null,
  };
}

/**
 * Visits of one hook at equal priority sorted by table and chain: the kernel runs those in
 * registration order, which no snapshot shows, so their order is not compared (their outcome is).
 */
function inKernelOrder(visits: readonly VisitView[]): VisitView[] {
  const out: VisitView[] = [];
  let run: VisitView[] = [];
  const flush = () => {
    out.push(...run.sort((x, y) => `${x.table} ${x.chain}`.localeCompare(`${y.table} ${y.chain}`)));
    run = [];
  };
  for (const v of visits) {
    const last = run.at(-1);
    if (last && (last.hook !== v.hook || last.priority !== v.priority)) flush();
    run.push(v);
  }
  flush();
  return out;
}

/** What differs between the two, one line each; empty when they agree. */
export function pathDifferences(
  sim: PathView,
  kernel: PathView,
  opts: { ignoreSport?: boolean } = {},
): string[] {
  void opts;
  const out: string[] = [];
  const simNs = sim.hops.map((h) => h.ns);
  const kNs = kernel.hops.map((h) => h.ns);
  if (simNs.join(' > ') !== kNs.join(' > '))
    out.push(`namespaces: simulated ${simNs.join(' > ')}; kernel ${kNs.join(' > ')}`);
  for (const kh of kernel.hops) {
    const sh = sim.hops.find((h) => h.ns === kh.ns);
    if (!sh) continue;
    const a = inKernelOrder(sh.visits).map(visitText);
    const b = inKernelOrder(kh.visits).map(visitText);
    if (a.join('\n') !== b.join('\n'))
      out.push(
        `${kh.ns}: chains differ\n  simulated:\n    ${a.join('\n    ')}\n  kernel:\n    ${b.join('\n    ')}`,
      );
    if (sh.oif !== kh.oif)
      out.push(`${kh.ns}: output interface simulated ${sh.oif ?? '-'}, kernel ${kh.oif ?? '-'}`);
  }
  // nft trace cannot see iptables-legacy: a packet a legacy rule dropped vanishes from it.
  const unseenDrop =
    kernel.disposition === 'vanished' &&
    sim.endedBy === 'iptables-legacy' &&
    (sim.disposition === 'dropped' || sim.disposition === 'rejected');
  if (sim.disposition !== kernel.disposition && !unseenDrop)
    out.push(`disposition: simulated ${sim.disposition}, kernel ${kernel.disposition}`);
  const f = (v: PathView['final']) => (v ? `${v.ns} ${v.saddr} -> ${v.daddr}:${v.dport ?? '-'}` : 'none');
  if (f(sim.final) !== f(kernel.final))
    out.push(`final packet: simulated ${f(sim.final)}, kernel ${f(kernel.final)}`);
  return out;
}
