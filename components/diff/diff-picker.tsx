'use client';

import { useState, type FormEvent } from 'react';
import { diffRefParse, diffRefText } from '@/lib/views/diff-ref';
import { countText, timeText } from '@/lib/views/format';
import type { DiffHost, DiffOptions } from '@/lib/views/snapshot-versions';
import { testIds } from '../test-ids';

/**
 * Side A and side B: a host (or one of its pods) and one of its stored snapshots. Picking B's host
 * takes its latest snapshot and, when A is still open, A becomes the same host's previous one.
 */

interface SideValue {
  host: string;
  pod: string;
  /** A snapshot ID, or '' for the latest (and for examples, which have only one). */
  snapshot: string;
}

function sideFrom(ref: string | null): SideValue {
  const s = ref ? diffRefParse(ref) : null;
  if (!s || 'error' in s) return { host: '', pod: '', snapshot: '' };
  return { host: s.host, pod: s.pod ?? '', snapshot: s.snapshot === null ? '' : String(s.snapshot) };
}

function refOf(v: SideValue, host: DiffHost | undefined): string {
  // The latest is written with its ID, so the link keeps meaning the same comparison later.
  const snapshot = v.snapshot || (host?.versions[0] ? String(host.versions[0].snapshotId) : '');
  return diffRefText({ host: v.host, pod: v.pod || null, snapshot: snapshot ? Number(snapshot) : null });
}

function SidePicker({
  id,
  legend,
  value,
  hosts,
  onChange,
}: {
  id: 'a' | 'b';
  legend: string;
  value: SideValue;
  hosts: readonly DiffHost[];
  onChange: (v: SideValue) => void;
}) {
  const host = hosts.find((h) => h.name === value.host);
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div className="field">
        <label htmlFor={`diff-${id}-host`}>Host</label>
        <select
          id={`diff-${id}-host`}
          value={value.host}
          onChange={(e) => onChange({ host: e.target.value, pod: '', snapshot: '' })}
        >
          <option value="">Choose a host…</option>
          {hosts.map((h) => (
            <option key={h.name} value={h.name}>
              {h.name}
              {h.source === 'store'
                ? ` (${h.versionsTotal} snapshot${h.versionsTotal === 1 ? '' : 's'})`
                : ''}
            </option>
          ))}
        </select>
      </div>
      {host && host.pods.length > 0 && (
        <div className="field">
          <label htmlFor={`diff-${id}-pod`}>Namespace</label>
          <select
            id={`diff-${id}-pod`}
            value={value.pod}
            onChange={(e) => onChange({ ...value, pod: e.target.value })}
          >
            <option value="">the host itself</option>
            {host.pods.map((p) => (
              <option key={p} value={p}>
                pod {p}
              </option>
            ))}
          </select>
        </div>
      )}
      {host && host.source === 'store' && (
        <div className="field">
          <label htmlFor={`diff-${id}-snapshot`}>Snapshot</label>
          <select
            id={`diff-${id}-snapshot`}
            value={value.snapshot || String(host.versions[0]?.snapshotId ?? '')}
            onChange={(e) => onChange({ ...value, snapshot: e.target.value })}
          >
            {host.versions.map((v, i) => (
              <option key={`${v.snapshotId}-${v.from}`} value={String(v.snapshotId)}>
                #{v.snapshotId} {i === 0 ? '(latest) ' : ''}
                {timeText(v.from)}
                {v.collections > 1 ? ` to ${timeText(v.to)}, ${v.collections} collections` : ''},{' '}
                {countText(v.rules)} rules
              </option>
            ))}
          </select>
        </div>
      )}
    </fieldset>
  );
}

export function DiffPicker({
  options,
  a,
  b,
  onSubmit,
  busy,
}: {
  options: DiffOptions;
  a: string | null;
  b: string | null;
  onSubmit: (a: string, b: string) => void;
  busy: boolean;
}) {
  const [va, setA] = useState(() => sideFrom(a));
  const [vb, setB] = useState(() => sideFrom(b));
  const hostOf = (name: string) => options.hosts.find((h) => h.name === name);
  const pickB = (v: SideValue) => {
    setB(v);
    const h = hostOf(v.host);
    // One host picked: compare its latest with the snapshot before.
    if (v.host !== vb.host && !va.host && h?.versions[1])
      setA({ host: v.host, pod: v.pod, snapshot: String(h.versions[1].snapshotId) });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(refOf(va, hostOf(va.host)), refOf(vb, hostOf(vb.host)));
  };
  return (
    <form
      className="diff-picker"
      onSubmit={submit}
      data-testid={testIds.diffPicker}
      aria-label="What to compare"
    >
      <SidePicker id="a" legend="A (before)" value={va} hosts={options.hosts} onChange={setA} />
      <SidePicker id="b" legend="B (after)" value={vb} hosts={options.hosts} onChange={pickB} />
      <button type="submit" disabled={busy || !va.host || !vb.host}>
        {busy ? 'Comparing…' : 'Compare'}
      </button>
    </form>
  );
}
