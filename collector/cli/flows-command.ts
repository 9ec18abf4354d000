import { snapshotFlows } from '../../lib/analyze/flows';
import type { DnatFlow, SnatFlow } from '../../lib/analyze/flow-model';
import { catchText, probabilityText } from '../../lib/analyze/flow-text';
import { ruleRefLabel } from '../../lib/analyze/rule-ref';
import { parseCommandArgs } from './args';
import { UsageError } from './cli-error';
import { readSnapshotFile } from './snapshot-file';

export const flowsHelp = `Usage: packetlens flows SNAPSHOT.json [--json] [--service NAME]

NAT flows of the snapshot's host (not its pods), from its iptables rules (both families, both
backends) and its native nft tables (kube-proxy's nftables mode):
  DNAT   what each flow catches (protocol, destination address and port, address type, interface),
         who wrote it (kube-proxy service and kind, Docker, CNI host port, or a plain rule), and its
         endpoints with the share of connections each gets (statistic cascades, numgen maps),
         branch by branch where rules split traffic by source; shares that do not add up to 1 say why
  SNAT   what each MASQUERADE / SNAT translates, the rules that exempt traffic before it, and where
         the marks it depends on are set
Every rule is shown as the dump has it, with its chain, position and line (nft: handle).

Options:
  --json          print { host, dnat: [...], snat: [...], summary }
  --service NAME  only the kube-proxy flows of this service (namespace/name:port)
  -h, --help      this help`;

function ownerText(f: DnatFlow): string {
  const o = f.owner;
  switch (o.kind) {
    case 'kube-proxy':
      return `kube-proxy (${o.mode}) ${o.service ?? o.serviceChain ?? '(unnamed)'} ${o.serviceKind}${o.trafficPolicy === 'Local' ? ', traffic policy Local' : ''}${o.sourceRanges ? ', source ranges' : ''}`;
    case 'docker':
      return `Docker (${o.chain})`;
    case 'cni-hostport':
      return `CNI host port (${o.chain}${o.network ? `, network ${o.network}` : ''}${o.containerId ? `, container ${o.containerId}` : ''})`;
    case 'rule':
      return 'rule';
  }
}

function dnatLines(f: DnatFlow): string[] {
  const lines = [`DNAT ${ruleRefLabel(f.entry)}  ${ownerText(f)}`, `  rule     ${f.entry.text}`];
  if (f.element) lines.push(`  element  ${f.element}`);
  lines.push(`  catches  ${catchText(f.catch)}`);
  for (const p of f.paths)
    lines.push(`  from     ${p.start}: ${p.rules.map((r) => `${r.chain} #${r.index}`).join(' -> ')}`);
  for (const b of f.branches) {
    const indent = b.when.length ? '    ' : '  ';
    if (b.when.length) lines.push(`  when ${b.when.join(' and ')}:`);
    else if (f.branches.length > 1) lines.push('  otherwise:');
    for (const e of b.endpoints)
      lines.push(
        `${indent}-> ${e.to.padEnd(22)} ${probabilityText(e.probability, e.chosenBy).padEnd(26)} ${ruleRefLabel(e.rule)}`,
      );
    for (const o of b.outcomes)
      lines.push(`${indent}${o.kind} ${probabilityText(o.probability)}: ${o.detail}`);
    if (b.affinity)
      lines.push(
        `${indent}affinity: a client returns to its endpoint for ${b.affinity.seconds ?? '?'} s (shares are for new clients)`,
      );
    for (const w of b.why) lines.push(`${indent}why not 1: ${w}`);
  }
  for (const n of f.notes) lines.push(`  note: ${n}`);
  return lines;
}

function snatLines(f: SnatFlow): string[] {
  const t = f.translation;
  const to =
    t.kind === 'snat' ? `SNAT to ${t.toSource}` : `MASQUERADE${t.toPorts ? ` to ports ${t.toPorts}` : ''}`;
  const lines = [
    `SNAT ${ruleRefLabel(f.rule)}  ${to}${t.flags.length ? ` (${t.flags.join(', ')})` : ''}  ${f.owner}`,
    `  rule     ${f.rule.text}`,
    `  catches  ${catchText(f.catch)}`,
  ];
  for (const e of f.exempt) lines.push(`  exempt   ${e.verdict}: ${e.rule.text}`);
  for (const m of f.marks)
    lines.push(
      `  mark     ${m.mark} set by ${m.setBy.map((r) => r.text).join('; ')} (${m.jumps} rules send packets there${m.examples.length ? `, e.g. ${m.examples.map((r) => ruleRefLabel(r)).join(', ')}` : ''})`,
    );
  for (const n of f.notes) lines.push(`  note: ${n}`);
  return lines;
}

export async function flowsCommand(argv: string[], stdout: (s: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {
    json: { type: 'boolean' },
    service: { type: 'string' },
  });
  if (values.help) return stdout(flowsHelp);
  if (positionals.length !== 1) throw new UsageError('expected exactly one SNAPSHOT.json (see --help)');
  const result = snapshotFlows(await readSnapshotFile(positionals[0]!));
  if (values.service !== undefined) {
    result.dnat = result.dnat.filter(
      (f) => f.owner.kind === 'kube-proxy' && f.owner.service === values.service,
    );
    result.snat = [];
  }
  if (values.json) return stdout(JSON.stringify(result, null, 2));
  const s = result.summary;
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const lines = [
    `host ${result.host}: ${plural(s.dnatFlows, 'DNAT flow')} (${plural(s.services, 'kube-proxy service')}, ${plural(s.endpoints, 'endpoint')}), ${plural(s.snatFlows, 'SNAT flow')}; ${s.incomplete} with shares that do not add up to 1`,
  ];
  for (const f of result.dnat) lines.push('', ...dnatLines(f));
  for (const f of result.snat) lines.push('', ...snatLines(f));
  stdout(lines.join('\n'));
}
