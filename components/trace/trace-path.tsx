'use client';

import type { PacketView, TraceLeg, TracePath, TraceStep } from '@/lib/simulate/result';
import { testIds } from '../test-ids';

/** One path as a column of steps, grouped by namespace; fields NAT rewrote are highlighted. */

function endpoint(addr: string, port: number | null, changedAddr: boolean, changedPort: boolean) {
  const a = addr.includes(':') && port !== null ? `[${addr}]` : addr;
  return (
    <>
      <span className={changedAddr ? 'changed' : undefined}>{a}</span>
      {port !== null && (
        <>
          :<span className={changedPort ? 'changed' : undefined}>{port}</span>
        </>
      )}
    </>
  );
}

export function PacketLine({ p, changed }: { p: PacketView; changed: readonly string[] }) {
  const c = new Set(changed);
  return (
    <span className="mono packet">
      {endpoint(p.src, p.sport, c.has('src'), c.has('sport'))} →{' '}
      {endpoint(p.dst, p.dport, c.has('dst'), c.has('dport'))}
      {p.iif && <> in {p.iif}</>}
      {p.oif && (
        <>
          {' '}
          out <span className={c.has('oif') ? 'changed' : undefined}>{p.oif}</span>
        </>
      )}
      {p.mark !== 0 && (
        <>
          {' '}
          mark <span className={c.has('mark') ? 'changed' : undefined}>0x{p.mark.toString(16)}</span>
        </>
      )}
    </span>
  );
}

export function stepWhere(s: TraceStep): string {
  return [s.hook, s.family, s.table, s.chain].filter((x) => x !== null && x !== '').join(' · ');
}

export function StepItem({ s, active }: { s: TraceStep; active?: boolean }) {
  return (
    <li
      className={`step step--${s.kind}${active ? ' step--active' : ''}`}
      data-testid={testIds.traceStep}
      data-kind={s.kind}
    >
      <div className="step-head">
        <span className="step-where">{stepWhere(s)}</span>
        <span className="step-verdict mono">{s.verdict}</span>
      </div>
      {s.rule && (
        <code
          className="rule-text"
          title={s.rule.line !== null ? `line ${s.rule.line}` : `handle ${s.rule.handle}`}
        >
          {s.rule.text}
        </code>
      )}
      <PacketLine p={s.packet} changed={s.changed} />
      {s.note && <p className="muted step-note">{s.note}</p>}
    </li>
  );
}

function groups(steps: readonly TraceStep[]): { host: string; steps: TraceStep[] }[] {
  const out: { host: string; steps: TraceStep[] }[] = [];
  for (const s of steps) {
    const last = out.at(-1);
    if (last && last.host === s.host) last.steps.push(s);
    else out.push({ host: s.host, steps: [s] });
  }
  return out;
}

export function LegSteps({ leg, title }: { leg: TraceLeg; title: string }) {
  return (
    <div className="leg">
      <h4>{title}</h4>
      {groups(leg.steps).map((g, i) => (
        <div key={i} className="hop">
          <h5 className="hop-host">{g.host}</h5>
          <ol className="steps">
            {g.steps.map((s, j) => (
              <StepItem key={j} s={s} />
            ))}
          </ol>
        </div>
      ))}
      <p className={`disposition disposition--${leg.disposition}`} data-testid={testIds.traceDisposition}>
        <strong>{leg.disposition}</strong>: {leg.verdict} (at {leg.final.host})
      </p>
    </div>
  );
}

export function PathColumn({ path, index }: { path: TracePath; index: number }) {
  return (
    <article className="trace-path" data-testid={testIds.tracePath} aria-labelledby={`trace-path-${index}`}>
      <h3 id={`trace-path-${index}`}>
        Path {index + 1}:{' '}
        <span className="num">{(path.probability * 100).toFixed(path.probability < 0.01 ? 3 : 1)}%</span>
      </h3>
      {path.choices.length > 0 && <p className="muted">{path.choices.join('; ')}</p>}
      <LegSteps leg={path} title="There" />
      {path.reply && <LegSteps leg={path.reply} title="And back (the reply)" />}
    </article>
  );
}
