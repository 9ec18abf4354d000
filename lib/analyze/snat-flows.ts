import type { IptablesDump, IptChain, IptRule, IptTable } from '../model/iptables';
import type { Atom } from './atoms';
import { atomNegate, atomsDisjoint } from './atoms';
import type { Exemption, FlowPath, MarkSource, SnatFlow, SnatTranslation } from './flow-model';
import { catchOf } from './flow-model';
import { IptEval } from './ipt-eval';
import { iptMarkScan } from './ipt-mark-scan';
import { iptTargetEffect } from './ipt-index';
import { commonAtoms, iptPathsFinder, iptRoots } from './ipt-paths';
import type { RuleRef } from './rule-ref';

/**
 * SNAT and MASQUERADE flows of an iptables dump: from nat POSTROUTING and INPUT (and chains nothing
 * jumps to) to every translation, what reaches it, which earlier rules exempt traffic (kube-proxy's
 * `! --mark 0x4000/0x4000 -j RETURN`, a CNI chain's `-d podCIDR -j ACCEPT`), and where the marks it
 * needs are set.
 */

const SNAT_HOOKS = ['POSTROUTING', 'INPUT'];
const MAX_EXAMPLES = 3;

function isSnat(rule: IptRule): boolean {
  const t = rule.target;
  return t !== null && 'options' in t && (t.name === 'SNAT' || t.name === 'MASQUERADE');
}

function translationOf(rule: IptRule): SnatTranslation {
  const t = rule.target!;
  const o = ('options' in t ? t.options : {}) as Record<string, { value: unknown } | undefined>;
  const flags: string[] = [];
  if (o.random) flags.push('random');
  if (o.randomFully) flags.push('random-fully');
  if (o.persistent) flags.push('persistent');
  return t.name === 'SNAT'
    ? { kind: 'snat', toSource: (o.toSource?.value as string | undefined) ?? null, toPorts: null, flags }
    : {
        kind: 'masquerade',
        toSource: null,
        toPorts: (o.toPorts?.value as string | undefined) ?? null,
        flags,
      };
}

/** The MARK rule leaves `value/mask` set. */
function setsMark(rule: IptRule, m: Atom & { kind: 'mark' }): boolean {
  const t = rule.target!;
  if (!('options' in t) || t.name !== 'MARK') return false;
  const o = t.options;
  const set = o.setXmark?.value ?? o.setMark?.value;
  return set
    ? ((set.mask ?? 0xffffffff) & m.mask) >>> 0 === m.mask && (set.value & m.mask) >>> 0 === m.value
    : o.orMark !== undefined && (o.orMark.value & m.mask) >>> 0 === m.mask && m.value === m.mask;
}

/** MARK rules of the dump (nat and mangle) that leave `value/mask` set, and who sends packets to them. */
function markSources(dump: IptablesDump, marks: readonly Atom[], nat: IptEval): MarkSource[] {
  const wanted = marks.filter(
    (m): m is Atom & { kind: 'mark' } => m.kind === 'mark' && !m.negate && m.dim === 'mark',
  );
  if (!wanted.length) return [];
  const scans = dump.tables
    .filter((t) => t.name === 'nat' || t.name === 'mangle')
    .map((table) => ({ table, scan: iptMarkScan(table, MAX_EXAMPLES) }));
  let mangle: IptEval | undefined;
  const evOf = (table: IptTable) => (table.name === 'nat' ? nat : (mangle ??= new IptEval(dump, table)));
  const out: MarkSource[] = [];
  for (const m of wanted) {
    let jumps = 0;
    const examples: RuleRef[] = [];
    const setBy: RuleRef[] = [];
    const counted = new Set<IptChain>();
    for (const { table, scan } of scans)
      for (const s of scan.marks) {
        if (!setsMark(s.rule, m)) continue;
        const ev = evOf(table);
        setBy.push(ev.ref(s.chain, s.rule));
        if (counted.has(s.chain)) continue;
        counted.add(s.chain);
        const to = scan.jumps.get(s.chain.name)!;
        jumps += to.count;
        // The first few rules that jump to the setters' chains, in dump order.
        for (const r of to.first) if (examples.length < MAX_EXAMPLES) examples.push(ev.ref(r.chain, r.rule));
      }
    if (setBy.length) out.push({ mark: m.cond.value, setBy, jumps, examples });
  }
  return out;
}

function ownerOf(chains: readonly string[]): SnatFlow['owner'] {
  if (chains.some((c) => c.startsWith('KUBE-'))) return 'kube-proxy';
  if (chains.some((c) => c.startsWith('CNI-'))) return 'cni';
  if (chains.some((c) => c.startsWith('DOCKER'))) return 'docker';
  return 'rule';
}

/** SNAT / MASQUERADE flows of one iptables dump. */
export function iptSnatFlows(dump: IptablesDump, nat?: IptEval): SnatFlow[] {
  const table = dump.tables.find((t) => t.name === 'nat');
  if (!table) return [];
  const ev = nat ?? new IptEval(dump, table);
  const pathsOf = iptPathsFinder(ev, isSnat);
  const found = new Map<
    IptRule,
    {
      chain: IptChain;
      paths: { start: string; builtin: boolean; path: { chain: IptChain; rule: IptRule }[] }[];
    }
  >();
  for (const root of iptRoots(ev, SNAT_HOOKS))
    for (const p of pathsOf(root.chain)) {
      let f = found.get(p.target.rule);
      if (!f) found.set(p.target.rule, (f = { chain: p.target.chain, paths: [] }));
      f.paths.push({ start: root.chain.name, builtin: root.builtin, path: p.path });
    }

  const flows: SnatFlow[] = [];
  for (const [rule, f] of found) {
    const pathAtoms = f.paths.map((p) =>
      p.path.flatMap((l) => ev.atoms(l.chain, l.rule).filter((a) => a.kind !== 'chance')),
    );
    const ctx = commonAtoms(pathAtoms);
    const exempt: Exemption[] = [];
    const seen = new Set<IptRule>();
    const derived: Atom[] = [];
    for (const p of f.paths)
      for (const loc of p.path)
        for (const r of loc.chain.rules) {
          if (r === loc.rule) break;
          const effect = iptTargetEffect(r);
          const verdict =
            effect === 'return' ? 'RETURN' : effect === 'final' && !isSnat(r) ? r.target!.name : null;
          if (!verdict || seen.has(r)) continue;
          const atoms = ev.atoms(loc.chain, r);
          if (atomsDisjoint(ctx, atoms)) continue;
          seen.add(r);
          exempt.push({ rule: ev.ref(loc.chain, r), verdict, catch: catchOf(atoms) });
          const only = atoms.length === 1 ? atomNegate(atoms[0]!) : null;
          if (only) derived.push(only);
        }
    const all = [...ctx, ...derived];
    const paths: FlowPath[] = f.paths.map((p, i) => ({
      start: p.start,
      rules: p.path.map((l) => ev.ref(l.chain, l.rule)),
      catch: catchOf(pathAtoms[i]!),
    }));
    const ref = ev.ref(f.chain, rule);
    const notes: string[] = [];
    if (f.paths.every((p) => !p.builtin))
      notes.push(
        `no built-in chain of this dump jumps to ${f.paths.map((p) => p.start).join(', ')}: read from there`,
      );
    flows.push({
      id: `${dump.family}${dump.backend === 'legacy' ? '@legacy' : ''}/nat/${ref.chain}#${ref.index}`,
      rule: ref,
      translation: translationOf(rule),
      catch: catchOf(all),
      paths,
      exempt,
      marks: markSources(dump, all, ev),
      owner: ownerOf(f.paths.flatMap((p) => p.path.map((l) => l.chain.name))),
      notes,
    });
  }
  return flows;
}
