import Link from 'next/link';
import type { Subject } from '@/lib/views/host-overview';
import type { NatBranch, NatDnatFlow, NatShare } from '@/lib/views/nat-payload';
import { traceHref } from '@/lib/views/urls';
import { ScrollRegion } from '../scroll-region';
import { testIds } from '../test-ids';
import { NatRuleLink } from './nat-rule-link';

const kindNames: Record<NatDnatFlow['kind'], string> = {
  'cluster-ip': 'ClusterIP',
  'node-port': 'NodePort',
  external: 'external / load balancer IP',
  'host-port': 'host port',
  other: 'DNAT rule',
};

/** The kernel's value to 10 significant digits: `0.3333333335` for kube-proxy's first of three. */
const kernelValue = (s: NatShare) => String(Number(s.value.toPrecision(10)));

function caseTitle(b: NatBranch, split: boolean): string | null {
  if (b.when.length) return `When ${b.when.join(' and ')}`;
  return split ? 'Otherwise' : null;
}

function BranchTable({ subject, flow, b }: { subject: Subject; flow: NatDnatFlow; b: NatBranch }) {
  const title = caseTitle(b, flow.branches.length > 1);
  return (
    <ScrollRegion label={`Endpoints of ${flow.label}${title ? `, ${title}` : ''}`}>
      <table className="data-table">
        {title && <caption className="nat-flow__case">{title}:</caption>}
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col">Pod / node</th>
            <th scope="col" className="num">
              Share
            </th>
            <th scope="col">Exact</th>
            <th scope="col" className="num">
              Kernel applies
            </th>
            <th scope="col">Rule</th>
          </tr>
        </thead>
        <tbody>
          {b.endpoints.map((e, i) => (
            <tr key={`e${i}`} data-testid={testIds.natEndpoint}>
              <td className="mono">{e.to}</td>
              <td>
                {e.owner
                  ? e.owner.kind === 'pod'
                    ? `${e.owner.name} on ${e.owner.node}`
                    : `host ${e.owner.node}`
                  : '—'}
              </td>
              <td className="num">{e.share ? e.share.percent : '—'}</td>
              <td className="mono">
                {e.share
                  ? (e.share.fraction ?? 'none stated')
                  : `chosen by ${e.chosenBy ?? 'a packet field'}`}
              </td>
              <td className="num mono">{e.share ? kernelValue(e.share) : '—'}</td>
              <td>
                <NatRuleLink subject={subject} rule={e.rule} />
              </td>
            </tr>
          ))}
          {b.outcomes.map((o, i) => (
            <tr key={`o${i}`} className={o.kind === 'undecided' ? 'nat-flow__undecided' : undefined}>
              <td>
                <strong>{o.kind}</strong>: {o.detail}
              </td>
              <td>—</td>
              <td className="num">{o.share ? o.share.percent : '—'}</td>
              <td className="mono">{o.share ? (o.share.fraction ?? 'none stated') : 'by a packet field'}</td>
              <td className="num mono">{o.share ? kernelValue(o.share) : '—'}</td>
              <td>{o.rule ? <NatRuleLink subject={subject} rule={o.rule} /> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

/** Each flow of the page: what it catches, who wrote it, its endpoints with their exact shares. */
export function NatFlowList({ subject, flows }: { subject: Subject; flows: readonly NatDnatFlow[] }) {
  return (
    <ol className="nat-flows">
      {flows.map((f) => (
        <li key={f.id} data-testid={testIds.natFlow} data-flow={f.label} className="nat-flow">
          <h3>
            <span className="mono">{f.label}</span>
            {f.service && <span className="nat-flow__service"> {f.service}</span>}
            <span className="badge">{kindNames[f.kind]}</span>
            {f.uncertain.length > 0 && <span className="badge badge--stale">not certain</span>}
          </h3>
          <p className="nat-flow__facts">
            {f.owner} · catches <span className="mono">{f.catchText}</span> · entry{' '}
            <NatRuleLink subject={subject} rule={f.entry} />
            {f.trace && (
              <>
                {' '}
                · <Link href={traceHref(f.trace)}>Life of a packet to {f.label}</Link>
              </>
            )}
          </p>
          <p className="nat-flow__rule mono">{f.entry.text}</p>
          {f.element && <p className="nat-flow__rule mono">element {f.element}</p>}
          {f.uncertain.length > 0 && (
            <ul className="warning-text nat-flow__uncertain">
              {f.uncertain.map((u) => (
                <li key={u}>{u}</li>
              ))}
            </ul>
          )}
          {f.branches.map((b, i) => (
            <BranchTable key={i} subject={subject} flow={f} b={b} />
          ))}
          {f.notes.length > 0 && (
            <ul className="muted nat-flow__notes">
              {f.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
