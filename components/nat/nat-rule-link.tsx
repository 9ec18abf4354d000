import Link from 'next/link';
import type { Subject } from '@/lib/views/host-overview';
import type { NatRule } from '@/lib/views/nat-payload';
import { rulePageOf, rulePageSizeDefault } from '@/lib/views/rule-page';
import { chainHref } from '@/lib/views/urls';

/** `KUBE-SEP-X #2 (line 94)`, linked to the rule in the chains view when that view shows its table. */
export function NatRuleLink({ subject, rule }: { subject: Subject; rule: NatRule }) {
  const where = `${rule.chain} #${rule.index} (${rule.line !== null ? `line ${rule.line}` : `handle ${rule.handle}`})`;
  const label = `${rule.family} ${rule.table}${rule.backend === 'legacy' ? ' (legacy)' : ''} ${where}`;
  if (rule.tableKey === null) return <span className="mono">{label}</span>;
  return (
    <Link
      className="mono"
      href={chainHref(subject, rule.tableKey, rule.chain, {
        page: rulePageOf(rule.index, rulePageSizeDefault),
        rule: rule.index,
      })}
    >
      {label}
    </Link>
  );
}
