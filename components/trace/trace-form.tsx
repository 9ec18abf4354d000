'use client';

import { useState, type FormEvent } from 'react';
import type { TraceOptions } from '@/lib/simulate/trace-options';
import { testIds } from '../test-ids';

/** The packet to trace: where it starts, where it goes. Submitting writes it into the page's URL. */

export interface TraceFormValues {
  from: string;
  entry: 'pod' | 'host' | 'iif';
  iface: string;
  src: string;
  dst: string;
  dport: string;
  proto: string;
  state: string;
  newClient: boolean;
}

export function TraceForm({
  options,
  initial,
  onSubmit,
  busy,
}: {
  options: TraceOptions;
  initial: TraceFormValues;
  onSubmit: (v: TraceFormValues) => void;
  busy: boolean;
}) {
  const [v, setV] = useState(initial);
  const set = <K extends keyof TraceFormValues>(k: K, value: TraceFormValues[K]) =>
    setV((o) => ({ ...o, [k]: value }));
  const source = options.sources.find((s) => s.name === v.from && (v.entry === 'pod') === (s.kind === 'pod'));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(v);
  };
  const service = options.services.find((s) => s.name === v.dst);
  return (
    <form
      className="trace-form"
      onSubmit={submit}
      data-testid={testIds.traceForm}
      aria-label="Packet to trace"
    >
      <fieldset>
        <legend>From</legend>
        <div className="field">
          <label htmlFor="trace-from">Source</label>
          <select
            id="trace-from"
            value={`${v.entry === 'iif' ? 'host' : v.entry}:${v.from}`}
            onChange={(e) => {
              const [kind, ...rest] = e.target.value.split(':');
              set('from', rest.join(':'));
              set('entry', kind === 'pod' ? 'pod' : v.entry === 'iif' ? 'iif' : 'host');
            }}
          >
            <option value=":">Choose a pod or host…</option>
            {options.sources.map((s) => (
              <option key={`${s.kind}:${s.name}`} value={`${s.kind}:${s.name}`}>
                {s.kind === 'pod' ? 'pod ' : 'host '}
                {s.label}
                {s.addresses.length ? ` (${s.addresses.join(', ')})` : ''}
              </option>
            ))}
          </select>
        </div>
        {v.entry !== 'pod' && (
          <div className="field">
            <label htmlFor="trace-entry">The packet</label>
            <select
              id="trace-entry"
              value={v.entry}
              onChange={(e) => set('entry', e.target.value as 'host' | 'iif')}
            >
              <option value="host">is sent by the host itself</option>
              <option value="iif">arrives on an interface of the host</option>
            </select>
          </div>
        )}
        {v.entry === 'iif' && (
          <div className="field">
            <label htmlFor="trace-iface">Interface</label>
            <select id="trace-iface" value={v.iface} onChange={(e) => set('iface', e.target.value)}>
              <option value="">Choose…</option>
              {(source?.interfaces ?? []).map((i) => (
                <option key={i}>{i}</option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="trace-src">Source address</label>
          <input
            id="trace-src"
            value={v.src}
            placeholder={v.entry === 'iif' ? 'required' : 'chosen by the sender'}
            onChange={(e) => set('src', e.target.value.trim())}
            spellCheck={false}
          />
        </div>
      </fieldset>
      <fieldset>
        <legend>To</legend>
        <div className="field">
          <label htmlFor="trace-dst">Destination: a service or an address</label>
          <input
            id="trace-dst"
            list="trace-services"
            value={v.dst}
            onChange={(e) => set('dst', e.target.value.trim())}
            spellCheck={false}
          />
          <datalist id="trace-services">
            {options.services.map((s) => (
              <option key={s.name} value={s.name}>
                {`${s.ip}:${s.port}/${s.proto}`}
              </option>
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="trace-dport">Port</label>
          <input
            id="trace-dport"
            inputMode="numeric"
            value={v.dport}
            placeholder={service ? String(service.port) : ''}
            onChange={(e) => set('dport', e.target.value.trim())}
          />
        </div>
        <div className="field">
          <label htmlFor="trace-proto">Protocol</label>
          <select id="trace-proto" value={v.proto} onChange={(e) => set('proto', e.target.value)}>
            {['tcp', 'udp', 'sctp', 'icmp', 'icmpv6'].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="trace-state">Packet</label>
          <select id="trace-state" value={v.state} onChange={(e) => set('state', e.target.value)}>
            <option value="new">a connection&apos;s first packet</option>
            <option value="established">a later packet of the connection</option>
          </select>
        </div>
        <div className="field field--check">
          <input
            id="trace-new-client"
            type="checkbox"
            checked={v.newClient}
            onChange={(e) => set('newClient', e.target.checked)}
          />
          <label htmlFor="trace-new-client">New client (session-affinity lists hold nothing for it)</label>
        </div>
      </fieldset>
      <button type="submit" disabled={busy || !v.from || !v.dst}>
        {busy ? 'Tracing…' : 'Trace'}
      </button>
    </form>
  );
}
