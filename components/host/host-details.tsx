import Link from 'next/link';
import type { ReactNode } from 'react';
import type { Address, Interface, PolicyRule, Route } from '@/lib/model/iproute';
import type { Diagnostic } from '@/lib/model/snapshot';
import { countText } from '@/lib/views/format';
import type { Subject, TableSummary } from '@/lib/views/host-overview';
import { hostHref } from '@/lib/views/urls';
import { ScrollRegion } from '../scroll-region';
import { testIds } from '../test-ids';

/** The host overview's tables: netfilter tables, interfaces, addresses, routes, policy rules, facts. */

function Section({
  id,
  title,
  children,
  testId,
}: {
  id: string;
  title: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section aria-labelledby={id} className="host-section" data-testid={testId}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function Scroll({ label, children }: { label: string; children: ReactNode }) {
  // Named apart from its section, whose heading already names a landmark.
  return <ScrollRegion label={`${label} (scrollable)`}>{children}</ScrollRegion>;
}

export function TablesSection({ tables, subject }: { tables: readonly TableSummary[]; subject: Subject }) {
  return (
    <Section id="tables-heading" title="Netfilter tables">
      {tables.length === 0 ? (
        <p className="muted">No iptables or nftables rules were collected for this namespace.</p>
      ) : (
        <Scroll label="Netfilter tables">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col">Tool</th>
                <th scope="col" className="num">
                  Chains
                </th>
                <th scope="col" className="num">
                  Rules
                </th>
                <th scope="col" className="num">
                  Sets and maps
                </th>
              </tr>
            </thead>
            <tbody>
              {tables.map((t) => (
                <tr key={t.key}>
                  <th scope="row">
                    <Link href={hostHref(subject, 'chains', { table: t.key })}>
                      {t.family} {t.name}
                    </Link>
                  </th>
                  <td>{t.engine === 'iptables' ? `iptables (${t.backend} backend)` : 'nftables'}</td>
                  <td className="num">{countText(t.chains)}</td>
                  <td className="num">{countText(t.rules)}</td>
                  <td className="num">{t.engine === 'nft' ? countText(t.sets) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </Section>
  );
}

export function InterfacesSection({
  interfaces,
  addresses,
}: {
  interfaces: readonly Interface[];
  addresses: readonly Address[];
}) {
  return (
    <Section id="interfaces-heading" title="Interfaces and addresses" testId={testIds.hostInterfaces}>
      {interfaces.length === 0 ? (
        <p className="muted">No interfaces were collected (ip -j -d link).</p>
      ) : (
        <Scroll label="Interfaces">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">State</th>
                <th scope="col">MTU</th>
                <th scope="col">Master / peer</th>
                <th scope="col">Addresses</th>
              </tr>
            </thead>
            <tbody>
              {interfaces.map((i) => (
                <tr key={i.index}>
                  <td className="num">{i.index}</td>
                  <th scope="row" className="mono">
                    {i.name}
                  </th>
                  <td>{i.kind ?? i.linkType}</td>
                  <td>{i.operState}</td>
                  <td className="num">{i.mtu}</td>
                  <td className="mono">
                    {[
                      i.master && `master ${i.master}`,
                      i.peer &&
                        `peer ${i.peer.name ?? `#${i.peer.ifindex}`}${i.peer.netnsId !== null ? ` (netns ${i.peer.netnsId})` : ''}`,
                    ]
                      .filter(Boolean)
                      .join(', ')}
                  </td>
                  <td className="mono">
                    {addresses
                      .filter((a) => a.ifindex === i.index)
                      .map((a) => `${a.local}/${a.prefixlen}${a.scope !== 'global' ? ` (${a.scope})` : ''}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </Section>
  );
}

function routeText(r: Route): string {
  const parts = [r.type !== 'unicast' ? `${r.type} ` : '', r.dstText];
  if (r.src) parts.push(` from ${r.src}`);
  if (r.gateway) parts.push(` via ${r.gateway}`);
  if (r.dev) parts.push(` dev ${r.dev}`);
  for (const nh of r.nexthops)
    parts.push(
      ` nexthop${nh.gateway ? ` via ${nh.gateway}` : ''}${nh.dev ? ` dev ${nh.dev}` : ''} weight ${nh.weight}`,
    );
  if (r.protocol !== 'boot') parts.push(` proto ${r.protocol}`);
  if (r.scope !== 'global') parts.push(` scope ${r.scope}`);
  if (r.prefsrc) parts.push(` src ${r.prefsrc}`);
  if (r.metric !== null) parts.push(` metric ${r.metric}`);
  return parts.join('');
}

export function RoutesSection({ routes, total }: { routes: readonly Route[]; total: number }) {
  const tables = [...new Set(routes.map((r) => `${r.family}|${r.table}`))];
  return (
    <Section id="routes-heading" title="Routes" testId={testIds.hostRoutes}>
      {routes.length === 0 ? (
        <p className="muted">No routes were collected (ip -j route show table all).</p>
      ) : (
        <>
          {total > routes.length && (
            <p className="muted">
              Showing the first {countText(routes.length)} of {countText(total)} routes.
            </p>
          )}
          {tables.map((key) => {
            const [family, table] = key.split('|') as [string, string];
            const rows = routes.filter((r) => r.family === family && r.table === table);
            // The local tables hold the host's own and broadcast addresses: folded; the others open.
            return (
              <details key={key} open={table !== 'local'} className="route-table">
                <summary>
                  {family === 'ip' ? 'IPv4' : 'IPv6'} table {table}{' '}
                  <span className="muted">({countText(rows.length)})</span>
                </summary>
                <ul className="code-list">
                  {rows.map((r, i) => (
                    <li key={i}>
                      <code>{routeText(r)}</code>
                    </li>
                  ))}
                </ul>
              </details>
            );
          })}
        </>
      )}
    </Section>
  );
}

function policyText(r: PolicyRule): string {
  const parts = [`${r.priority}:`, r.not ? ' not' : '', ` from ${r.src}`];
  if (r.dst !== 'all') parts.push(` to ${r.dst}`);
  if (r.fwmark !== null)
    parts.push(
      ` fwmark 0x${r.fwmark.toString(16)}${r.fwmask !== null && r.fwmask !== 0xffffffff ? `/0x${r.fwmask.toString(16)}` : ''}`,
    );
  if (r.iif) parts.push(` iif ${r.iif}${r.iifDetached ? ' [detached]' : ''}`);
  if (r.oif) parts.push(` oif ${r.oif}${r.oifDetached ? ' [detached]' : ''}`);
  if (r.ipproto) parts.push(` ipproto ${r.ipproto}`);
  if (r.action === 'to_tbl') parts.push(` lookup ${r.table}`);
  else if (r.action === 'goto') parts.push(` goto ${r.goto}`);
  else parts.push(` ${r.action}`);
  if (r.suppressPrefixlength !== null) parts.push(` suppress_prefixlength ${r.suppressPrefixlength}`);
  return parts.join('');
}

export function PolicyRulesSection({ rules }: { rules: readonly PolicyRule[] }) {
  return (
    <Section id="policy-heading" title="Policy routing rules" testId={testIds.hostPolicyRules}>
      {rules.length === 0 ? (
        <p className="muted">No policy rules were collected (ip -j rule).</p>
      ) : (
        (['ip', 'ip6'] as const).map((family) => {
          const rows = rules.filter((r) => r.family === family);
          if (rows.length === 0) return null;
          return (
            <div key={family}>
              <h3>{family === 'ip' ? 'IPv4' : 'IPv6'}</h3>
              <ul className="code-list">
                {rows.map((r, i) => (
                  <li key={i}>
                    <code>{policyText(r)}</code>
                  </li>
                ))}
              </ul>
            </div>
          );
        })
      )}
    </Section>
  );
}

export function FactsSection({
  sysctls,
  diagnostics,
  sources,
}: {
  sysctls: Record<string, string>;
  diagnostics: readonly Diagnostic[];
  sources: readonly { origin: string; format: string }[];
}) {
  const keys = Object.keys(sysctls).sort();
  return (
    <Section id="facts-heading" title="Kernel settings and collection notes">
      {keys.length > 0 && (
        <dl className="facts facts--grid">
          {keys.map((k) => (
            <div key={k}>
              <dt className="mono">{k}</dt>
              <dd className="mono">{sysctls[k]}</dd>
            </div>
          ))}
        </dl>
      )}
      {diagnostics.length > 0 && (
        <ul className="diagnostics">
          {diagnostics.map((d, i) => (
            <li key={i} className={`diagnostic diagnostic--${d.severity}`}>
              <span className="badge">{d.severity}</span> {d.origin ? <code>{d.origin}</code> : null}{' '}
              {d.message}
            </li>
          ))}
        </ul>
      )}
      <p className="muted">Read from: {sources.map((s) => s.origin).join(', ') || 'nothing'}.</p>
    </Section>
  );
}
