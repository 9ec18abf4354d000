import type { NftChain, NftRule, NftStmt, NftTable } from '../model/nftables';
import type { Snapshot } from '../model/snapshot';
import type { Atom } from './atoms';
import { atomNegate, atomsCover, atomsDisjoint } from './atoms';
import type { EvalAction, EvalRule } from './flow-eval';
import { flowBranches, ShareValues } from './flow-eval';
import type { DnatFlow, Exemption, FlowOwner, FlowPath, MarkSource, SnatFlow } from './flow-model';
import { catchOf, noEndpointsBranch } from './flow-model';
import { kubeNftChainParse } from './kube-proxy-names';
import { NftEval } from './nft-eval';
import type { RuleRef } from './rule-ref';
import { ruleRefLabel } from './rule-ref';

/**
 * NAT flows of native nft tables (kube-proxy's nftables mode, Docker's nftables backend, hand-written
 * tables), found and followed the way dnat-flows.ts and snat-flows.ts do it for iptables. A verdict
 * map keyed by packet fields (kube-proxy's `service-ips`) is read element by element: each element
 * that leads to a DNAT is a way in, and its key is what it catches.
 */

/** A rule, or one element of a rule's verdict map, as a step on the way to a DNAT. */
interface Loc {
  chain: NftChain;
  rule: NftRule;
  /** For a verdict map element: its text, conditions and verdict. */
  element: { text: string; atoms: Atom[]; action: EvalAction; target: NftChain | null } | null;
}

function selects(atoms: readonly Atom[]): boolean {
  return atoms.some(
    (a) =>
      (a.kind === 'addr' && a.dim === 'dst' && !a.cond.negate) ||
      (a.kind === 'port' && a.dim === 'dport') ||
      (a.kind === 'names' && a.dim === 'dstType' && !a.cond.negate),
  );
}

function natStmt(rule: NftRule): Extract<NftStmt, { kind: 'nat' }> | undefined {
  return rule.stmts.find((s): s is Extract<NftStmt, { kind: 'nat' }> => s.kind === 'nat');
}

function isDnat(rule: NftRule): boolean {
  const n = natStmt(rule);
  return n !== undefined && (n.type === 'dnat' || n.type === 'redirect');
}

function isSnat(rule: NftRule): boolean {
  const n = natStmt(rule);
  return n !== undefined && (n.type === 'snat' || n.type === 'masquerade');
}

class NftWalk {
  readonly ev: NftEval;
  constructor(readonly table: NftTable) {
    this.ev = new NftEval(table);
  }

  atomsOf(loc: Loc): Atom[] {
    const base = this.ev.atoms(loc.rule);
    return loc.element ? [...base, ...loc.element.atoms] : base;
  }

  /** Chains a rule (not read element by element) sends packets to: its jump or goto, or its numgen map's. */
  targets(rule: NftRule): NftChain[] {
    const out: NftChain[] = [];
    for (const s of rule.stmts) {
      if (s.kind === 'verdict' && (s.verdict === 'jump' || s.verdict === 'goto')) {
        const c = this.ev.chains.get(s.target ?? '');
        if (c) out.push(c);
      }
      if (s.kind === 'vmap')
        for (const el of this.ev.mapElements(s.data) ?? []) {
          const c =
            el.value.kind === 'verdict' && el.value.target ? this.ev.chains.get(el.value.target) : undefined;
          if (c && !out.includes(c)) out.push(c);
        }
    }
    return out;
  }

  /** Where a step sends packets next. */
  next(loc: Loc): NftChain[] {
    if (loc.element) return loc.element.target ? [loc.element.target] : [];
    return this.targets(loc.rule);
  }

  /** A rule's steps: itself, or one per element of a verdict map keyed by packet fields. */
  steps(chain: NftChain, rule: NftRule): Loc[] {
    const vmap = rule.stmts.find((s): s is Extract<NftStmt, { kind: 'vmap' }> => s.kind === 'vmap');
    if (!vmap || vmap.key.kind === 'numgen' || vmap.key.kind === 'jhash' || vmap.key.kind === 'symhash')
      return [{ chain, rule, element: null }];
    const elements = this.ev.mapElements(vmap.data);
    if (!elements) return [{ chain, rule, element: null }];
    const out: Loc[] = [];
    for (const el of elements) {
      const atoms = this.ev.elementAtoms(vmap.key, el.key);
      if (!atoms || el.value.kind !== 'verdict') continue;
      const target = el.value.target ? (this.ev.chains.get(el.value.target) ?? null) : null;
      out.push({
        chain,
        rule,
        element: {
          text: el.text,
          atoms,
          action: this.ev.verdictAction(el.value.verdict, el.value.target),
          target,
        },
      });
    }
    return out;
  }

  evalRule(loc: Loc): EvalRule {
    if (!loc.element) return this.ev.rule(loc.rule);
    const ev = this.ev;
    const element = loc.element;
    return {
      get ref() {
        return ev.ref(loc.rule);
      },
      atoms: this.atomsOf(loc),
      action: element.action,
    };
  }
}

interface Entries {
  entries: { entry: Loc; path: Loc[] }[];
  unselected: Loc[];
}

function entriesFinder(w: NftWalk, wanted: (r: NftRule) => boolean) {
  const memo = new Map<NftChain, Entries>();
  const visiting = new Set<NftChain>();
  return function entriesOf(chain: NftChain): Entries {
    const known = memo.get(chain);
    if (known) return known;
    const result: Entries = { entries: [], unselected: [] };
    if (visiting.has(chain)) return result;
    visiting.add(chain);
    for (const rule of chain.rules)
      for (const loc of w.steps(chain, rule)) {
        let reaches = !loc.element && wanted(rule);
        if (!reaches)
          for (const target of w.next(loc)) {
            const sub = entriesOf(target);
            for (const e of sub.entries) result.entries.push({ entry: e.entry, path: [loc, ...e.path] });
            reaches ||= sub.unselected.length > 0;
          }
        if (!reaches) continue;
        if (selects(w.atomsOf(loc))) result.entries.push({ entry: loc, path: [loc] });
        else result.unselected.push(loc);
      }
    visiting.delete(chain);
    memo.set(chain, result);
    return result;
  };
}

function baseChains(table: NftTable, hooks: readonly string[]): NftChain[] {
  return table.chains
    .filter((c) => c.base !== null && c.base.type === 'nat' && hooks.includes(c.base.hook))
    .sort((a, b) => a.base!.priority - b.base!.priority);
}

function locKey(loc: Loc): string {
  return `${loc.rule.handle}${loc.element ? ` ${loc.element.text}` : ''}`;
}

function locRef(w: NftWalk, loc: Loc): RuleRef {
  return w.ev.ref(loc.rule);
}

function kubeOwner(w: NftWalk, entry: Loc, below: NftChain[]): FlowOwner | null {
  const first = below[0];
  const parsed = first ? kubeNftChainParse(first.name) : null;
  if (!parsed && w.table.name !== 'kube-proxy') return null;
  const mapName = entry.rule.stmts.find((s) => s.kind === 'vmap');
  const viaNodePorts =
    mapName?.kind === 'vmap' && mapName.data.kind === 'setref' && mapName.data.name === 'service-nodeports';
  const kind = viaNodePorts ? 'NodePort' : parsed?.kind === 'external' ? 'External' : 'ClusterIP';
  const local = below.some(
    (c) =>
      kubeNftChainParse(c.name)?.kind === 'local' ||
      (kubeNftChainParse(c.name)?.kind === 'external' &&
        c.rules.some((r) => r.comment === 'short-circuit pod traffic')),
  );
  const svcChain = below.find((c) => kubeNftChainParse(c.name)?.kind === 'service');
  return {
    kind: 'kube-proxy',
    mode: 'nftables',
    service: parsed?.service ?? null,
    serviceKind: kind,
    serviceChain: svcChain?.name ?? null,
    trafficPolicy: local ? 'Local' : 'Cluster',
    // loadBalancerSourceRanges: kube-proxy adds a firewall chain of the same hash and name.
    sourceRanges: first !== undefined && w.ev.chains.has(first.name.replace(/^[a-z]+-/, 'firewall-')),
  };
}

/** Chains below a step, breadth first, that may decide (for kube-proxy's names). */
function chainsBelow(w: NftWalk, loc: Loc): NftChain[] {
  const out: NftChain[] = [];
  const queue = w.next(loc);
  const seen = new Set(queue);
  while (queue.length && out.length < 64) {
    const c = queue.shift()!;
    out.push(c);
    for (const r of c.rules)
      for (const s of w.steps(c, r))
        for (const t of w.next(s))
          if (!seen.has(t) && w.ev.chainMayDecide(t)) {
            seen.add(t);
            queue.push(t);
          }
  }
  return out;
}

/** kube-proxy's no-endpoint verdict maps, element by element, for its filter hooks. */
interface NoEndpoint {
  ref: RuleRef;
  element: string;
  atoms: Atom[];
  service: string | null;
  verdict: 'drop' | 'reject';
  /** From `no-endpoint-nodeports`. */
  nodePort: boolean;
  /** The address is in kube-proxy's `cluster-ips` set. */
  clusterIp: boolean;
  used: boolean;
}

function noEndpointElements(w: NftWalk): NoEndpoint[] {
  const out: NoEndpoint[] = [];
  const clusterIps = new Set(
    (w.table.sets.find((s) => s.name === 'cluster-ips')?.elements ?? []).map((e) => w.ev.text(e)),
  );
  for (const chain of w.table.chains)
    for (const rule of chain.rules) {
      const vmap = rule.stmts.find((s) => s.kind === 'vmap');
      if (vmap?.kind !== 'vmap' || vmap.data.kind !== 'setref' || !vmap.data.name.startsWith('no-endpoint-'))
        continue;
      for (const el of w.ev.mapElements(vmap.data) ?? []) {
        const atoms = w.ev.elementAtoms(vmap.key, el.key);
        if (!atoms || el.value.kind !== 'verdict') continue;
        const verdict = el.value.verdict === 'drop' ? 'drop' : 'reject';
        out.push({
          ref: w.ev.ref(rule),
          element: el.text,
          atoms: [...w.ev.atoms(rule), ...atoms],
          service: el.comment,
          verdict,
          nodePort: vmap.data.name === 'no-endpoint-nodeports',
          clusterIp: atoms.some((a) => a.kind === 'addr' && a.dim === 'dst' && clusterIps.has(a.cond.value)),
          used: false,
        });
      }
    }
  return out;
}

function dnatFlowsOf(w: NftWalk): DnatFlow[] {
  const entriesOf = entriesFinder(w, isDnat);
  const values = new ShareValues();
  const found = new Map<string, { entry: Loc; paths: { start: string; path: Loc[] }[] }>();
  for (const base of baseChains(w.table, ['prerouting', 'output'])) {
    const r = entriesOf(base);
    const add = (entry: Loc, path: Loc[]) => {
      const k = locKey(entry);
      let f = found.get(k);
      if (!f) found.set(k, (f = { entry, paths: [] }));
      f.paths.push({ start: base.name, path });
    };
    for (const e of r.entries) add(e.entry, e.path);
    for (const loc of r.unselected) add(loc, [loc]);
  }
  const noEndpoints = noEndpointElements(w);
  const flows: DnatFlow[] = [];
  for (const f of found.values()) {
    const pathAtoms = f.paths.map((p) =>
      p.path.flatMap((l) => w.atomsOf(l).filter((a) => a.kind !== 'chance')),
    );
    const ctx =
      pathAtoms.length === 1
        ? pathAtoms[0]!
        : pathAtoms[0]!.filter((a) => pathAtoms.every((p) => p.some((b) => b.text === a.text)));
    const flowCatch = catchOf(ctx);
    const paths: FlowPath[] = f.paths.map((p, i) => ({
      start: p.start,
      rules: p.path.map((l) => locRef(w, l)),
      catch: f.paths.length === 1 ? flowCatch : catchOf(pathAtoms[i]!),
    }));
    const entryRef = locRef(w, f.entry);
    const below = chainsBelow(w, f.entry);
    const owner: FlowOwner =
      kubeOwner(w, f.entry, below) ??
      (w.table.name.startsWith('docker') ? { kind: 'docker', chain: entryRef.chain } : { kind: 'rule' });
    const fallThrough = (last: RuleRef | null) => {
      let detail = `not translated here: goes on after ${ruleRefLabel(last ?? entryRef)}`;
      const drop = noEndpoints.find((n) =>
        atomsCover(
          n.atoms.filter((a) => a.kind !== 'unknown'),
          ctx,
        ),
      );
      if (drop) {
        drop.used = true;
        detail += `; then ${drop.verdict === 'drop' ? 'dropped' : 'rejected'} by ${ruleRefLabel(drop.ref)} element ${drop.element}`;
      }
      return detail;
    };
    const branches = flowBranches({
      rules: [w.evalRule(f.entry)],
      ctx,
      endpointKey: (e, rule) => `${rule.chain}#${rule.handle}:${e.to}`,
      fallThrough,
      values,
    });
    const notes: string[] = [];
    for (const b of branches)
      for (const e of b.endpoints)
        if (e.via.length === 0 && e.chosenBy === null && /jhash|symhash/.test(entryRef.text))
          notes.push('a hash of packet fields picks the endpoint: a given client always gets the same one');
    flows.push({
      id: `${w.table.family}/${w.table.name}/${entryRef.chain}#${entryRef.handle}${f.entry.element ? ` ${f.entry.element.text}` : ''}`,
      entry: entryRef,
      element: f.entry.element?.text ?? null,
      catch: flowCatch,
      paths,
      owner,
      branches,
      notes: [...new Set(notes)],
    });
  }
  if (w.table.name === 'kube-proxy') {
    for (const n of noEndpoints) {
      if (n.used) continue;
      const covered = flows.some(
        (fl) =>
          fl.owner.kind === 'kube-proxy' &&
          fl.owner.service === n.service &&
          fl.branches.some((b) => b.endpoints.length > 0),
      );
      if (covered) continue;
      const why = `no endpoints: ${n.verdict === 'drop' ? 'dropped' : 'rejected'} by ${ruleRefLabel(n.ref)} element ${n.element}`;
      const branch = noEndpointsBranch(n.verdict, n.ref, why);
      const c = catchOf(n.atoms);
      flows.push({
        id: `${w.table.family}/${w.table.name}/${n.ref.chain}#${n.ref.handle} ${n.element}`,
        entry: n.ref,
        element: n.element,
        catch: c,
        paths: [{ start: n.ref.chain, rules: [n.ref], catch: c }],
        owner: {
          kind: 'kube-proxy',
          mode: 'nftables',
          service: n.service,
          serviceKind: n.nodePort ? 'NodePort' : n.clusterIp ? 'ClusterIP' : 'External',
          serviceChain: null,
          trafficPolicy: 'Cluster',
          sourceRanges: false,
        },
        branches: [branch],
        notes: [],
      });
    }
  }
  return flows;
}

function snatFlowsOf(w: NftWalk): SnatFlow[] {
  const found = new Map<NftRule, { chain: NftChain; paths: { start: string; path: Loc[] }[] }>();
  for (const base of baseChains(w.table, ['postrouting', 'input']))
    for (const p of pathsTo(w, base, isSnat)) {
      let f = found.get(p.target.rule);
      if (!f) found.set(p.target.rule, (f = { chain: p.target.chain, paths: [] }));
      f.paths.push({ start: base.name, path: p.path });
    }
  const flows: SnatFlow[] = [];
  for (const [rule, f] of found) {
    const stmt = natStmt(rule)!;
    const pathAtoms = f.paths.map((p) =>
      p.path.flatMap((l) => w.atomsOf(l).filter((a) => a.kind !== 'chance')),
    );
    const ctx = pathAtoms[0]!.filter((a) => pathAtoms.every((p) => p.some((b) => b.text === a.text)));
    const exempt: Exemption[] = [];
    const derived: Atom[] = [];
    for (const p of f.paths)
      for (const loc of p.path)
        for (const r of loc.chain.rules) {
          if (r === loc.rule) break;
          const action = w.ev.actionOf(r);
          const verdict = action.kind === 'final' ? action.verdict : null;
          if (verdict !== 'return' && verdict !== 'accept' && verdict !== 'drop') continue;
          const atoms = w.ev.atoms(r);
          if (atomsDisjoint(ctx, atoms) || exempt.some((e) => e.rule.handle === r.handle)) continue;
          exempt.push({ rule: w.ev.ref(r), verdict, catch: catchOf(atoms) });
          const only = atoms.length === 1 ? atomNegate(atoms[0]!) : null;
          if (only) derived.push(only);
        }
    const ref = w.ev.ref(rule);
    const text = (e: typeof stmt.addr) => (e ? w.ev.text(e) : null);
    flows.push({
      id: `${w.table.family}/${w.table.name}/${ref.chain}#${ref.handle}`,
      rule: ref,
      translation: {
        kind: stmt.type === 'masquerade' ? 'masquerade' : 'snat',
        toSource:
          stmt.type === 'snat'
            ? [text(stmt.addr), text(stmt.port)].filter((x) => x !== null).join(':') || null
            : null,
        toPorts: stmt.type === 'masquerade' ? text(stmt.port) : null,
        flags: stmt.flags ?? [],
      },
      catch: catchOf([...ctx, ...derived]),
      paths: f.paths.map((p, i) => ({
        start: p.start,
        rules: p.path.map((l) => locRef(w, l)),
        catch: catchOf(pathAtoms[i]!),
      })),
      exempt,
      marks: markSources(w, exempt),
      owner:
        w.table.name === 'kube-proxy' ? 'kube-proxy' : w.table.name.startsWith('docker') ? 'docker' : 'rule',
      notes: [],
    });
  }
  return flows;
}

/** Every path from `chain` to a rule `wanted` accepts (rules and verdict map elements). */
function pathsTo(
  w: NftWalk,
  chain: NftChain,
  wanted: (r: NftRule) => boolean,
  seen = new Set<NftChain>(),
): { target: Loc; path: Loc[] }[] {
  if (seen.has(chain)) return [];
  seen.add(chain);
  const out: { target: Loc; path: Loc[] }[] = [];
  for (const rule of chain.rules)
    for (const loc of w.steps(chain, rule)) {
      if (!loc.element && wanted(rule)) out.push({ target: loc, path: [loc] });
      for (const t of w.next(loc))
        for (const p of pathsTo(w, t, wanted, seen)) out.push({ target: p.target, path: [loc, ...p.path] });
    }
  seen.delete(chain);
  return out;
}

/** Rules setting the mark an exemption tests (`meta mark & 0x4000 == 0 return`), and jumps to them. */
function markSources(w: NftWalk, exempt: readonly Exemption[]): MarkSource[] {
  const out: MarkSource[] = [];
  for (const e of exempt) {
    const rule = w.table.chains.flatMap((c) => c.rules).find((r) => r.handle === e.rule.handle);
    const mark = rule ? w.ev.atoms(rule).find((a) => a.kind === 'mark' && a.dim === 'mark') : undefined;
    if (!mark || mark.kind !== 'mark' || mark.negate || mark.value !== 0) continue;
    // The exemption lets unmarked packets go: the translation needs the mask's bits set.
    const setBy: RuleRef[] = [];
    const setterChains = new Set<string>();
    for (const c of w.table.chains)
      for (const r of c.rules)
        for (const s of r.stmts) {
          if (s.kind !== 'mangle' || s.key.kind !== 'meta' || s.key.key !== 'mark') continue;
          const v = s.value;
          const or =
            v.kind === 'binop' && v.op === '|' && v.right.kind === 'immediate' ? Number(v.right.value) : null;
          if (or !== null && (or & mark.mask) >>> 0 === mark.mask) {
            setBy.push(w.ev.ref(r));
            setterChains.add(c.name);
          }
        }
    if (!setBy.length) continue;
    let jumps = 0;
    const examples: RuleRef[] = [];
    for (const c of w.table.chains)
      for (const r of c.rules)
        if (
          r.stmts.some(
            (s) =>
              s.kind === 'verdict' &&
              (s.verdict === 'jump' || s.verdict === 'goto') &&
              setterChains.has(s.target ?? ''),
          )
        ) {
          jumps++;
          if (examples.length < 3) examples.push(w.ev.ref(r));
        }
    out.push({ mark: `0x${mark.mask.toString(16)}/0x${mark.mask.toString(16)}`, setBy, jumps, examples });
  }
  return out;
}

/** NAT flows of the snapshot's native nft tables (iptables-nft's own tables are read as iptables). */
export function nftFlows(snapshot: Snapshot): { dnat: DnatFlow[]; snat: SnatFlow[] } {
  const dnat: DnatFlow[] = [];
  const snat: SnatFlow[] = [];
  for (const table of snapshot.netfilter.nftables?.tables ?? []) {
    if (table.managedBy === 'iptables-nft') continue;
    if (!table.chains.some((c) => c.base?.type === 'nat')) continue;
    const w = new NftWalk(table);
    dnat.push(...dnatFlowsOf(w));
    snat.push(...snatFlowsOf(w));
  }
  return { dnat, snat };
}
