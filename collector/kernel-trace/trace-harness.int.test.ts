import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceTableName, traceTableScript } from '../../lib/kernel-trace/trace-table';
import { processAlive } from '../lab/leftovers';
import { run } from '../netns/netns';
import { snapshotOfNetns } from './netns-snapshot';
import type { BuiltScenario } from './scenario';
import {
  scenarioBuild,
  scenarioLeftoversSweep,
  scenarioNamespaceRemove,
  scenarioNamespaces,
} from './scenario';
import { dnatMasquerade } from './scenarios';
import { traceCapture } from './trace-capture';
import { traceDisable, traceEnable, traceSweep, traceTable, traceTables } from './trace-table';

/*
 * The harness' own mechanics: tracing on and off leaves a ruleset exactly as it was, leftovers of
 * dead runs are swept (namespaces, trace tables), monitors are reaped when the probe fails, and a
 * namespace's snapshot is the collector's. Everything runs in the dnat-masquerade scenario's
 * pl-ktrace-<pid>- namespaces.
 */

let built: BuiltScenario;
/** A pid no process has: the owner of a "crashed" run. */
let deadPid: number;

beforeAll(async () => {
  expect(process.getuid?.(), 'integration tests need root for network namespaces').toBe(0);
  await scenarioLeftoversSweep();
  built = await scenarioBuild(dnatMasquerade().spec);
  deadPid = 4_000_000;
  while (processAlive(deadPid)) deadPid++;
});

afterAll(async () => {
  await built?.teardown();
  const left = (await scenarioNamespaces()).filter((n) => n.startsWith(`pl-ktrace-${process.pid}-`));
  for (const n of left) await scenarioNamespaceRemove(n);
  expect(left).toEqual([]);
});

async function must(cmd: string, args: readonly string[], input?: string): Promise<string> {
  const r = await run(cmd, args, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Everything a namespace's netfilter holds, as text: the nft ruleset with handles, and both iptables views. */
async function rulesetText(ns: string): Promise<string> {
  const parts = await Promise.all([
    must('ip', ['netns', 'exec', ns, 'nft', '-a', 'list', 'ruleset']),
    must('ip', ['netns', 'exec', ns, 'iptables-nft-save']),
    must('ip', ['netns', 'exec', ns, 'ip6tables-nft-save']),
  ]);
  // iptables-save's header and footer carry the time of the dump.
  return parts.join('\n').replace(/^# (Generated|Completed) .*$/gm, '');
}

describe('traceEnable and traceDisable', () => {
  it('leave the ruleset exactly as it was, handles included', async () => {
    const r = built.ns('r');
    const before = await rulesetText(r);
    expect(before).toContain('dnat to 10.77.2.2:8080');
    await traceEnable(r, [{ proto: 'tcp', port: 61021 }]);
    expect(await traceTables(r)).toEqual([traceTable()]);
    expect(await rulesetText(r)).not.toBe(before);
    // Enabling again replaces the table rather than adding a second one.
    await traceEnable(r, ['all']);
    expect(await traceTables(r)).toEqual([traceTable()]);
    await traceDisable(r);
    expect(await rulesetText(r)).toBe(before);
    // Disabling where tracing is off changes nothing.
    await traceDisable(r);
    expect(await rulesetText(r)).toBe(before);
  });

  it('sweep removes the trace table of a run that died and keeps a live one', async () => {
    const c = built.ns('c');
    const dead = traceTableName(deadPid);
    await must('ip', ['netns', 'exec', c, 'nft', '-f', '-'], traceTableScript(dead, ['all']));
    await traceEnable(c);
    expect((await traceTables(c)).sort()).toEqual([dead, traceTable()].sort());
    expect(await traceSweep(c)).toEqual([dead]);
    expect(await traceTables(c)).toEqual([traceTable()]);
    await traceDisable(c);
    expect(await traceTables(c)).toEqual([]);
  });
});

/** Names of the processes running in a namespace (/proc/PID/comm). */
async function processesIn(ns: string): Promise<string[]> {
  const pids = (await must('ip', ['netns', 'pids', ns])).split('\n').filter((l) => l.trim() !== '');
  return pids.map((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return '?'; // exited meanwhile
    }
  });
}

describe('traceCapture', () => {
  it('stops and reaps every monitor when the probe throws', async () => {
    const list = [built.ns('c'), built.ns('r')];
    for (const ns of list) await traceEnable(ns);
    try {
      await expect(
        traceCapture(list, () => {
          throw new Error('the probe failed');
        }),
      ).rejects.toThrow('the probe failed');
      for (const ns of list) expect(await processesIn(ns)).not.toContain('nft');
    } finally {
      for (const ns of list) await traceDisable(ns);
    }
  });

  it('says when tracing is not enabled, and reaps the monitor', async () => {
    const c = built.ns('c');
    await expect(traceCapture([c], async () => 1, { readyTimeoutMs: 1500 })).rejects.toThrow(
      `no trace of the start marker within 1500 ms in ${c}: is tracing enabled there?`,
    );
    expect(await processesIn(c)).not.toContain('nft');
  });

  it('returns the lines, events and base chains of each namespace', async () => {
    const c = built.ns('c');
    await traceEnable(c);
    try {
      const capture = await traceCapture([c], async () => 'sent');
      expect(capture.result).toBe('sent');
      const ns = capture.namespaces[0]!;
      expect(ns.lines.length).toBeGreaterThan(0);
      expect(ns.events.map((e) => e.kind)).toContain('packet');
      expect(capture.index[c]!.find((b) => b.chain === 'out_first')).toMatchObject({
        hook: 'output',
        priority: -450,
        type: 'route',
      });
    } finally {
      await traceDisable(c);
    }
  });
});

describe('scenarioLeftoversSweep', () => {
  it('removes the namespaces of a run that died, with what still runs in them', async () => {
    const ns = `pl-ktrace-${deadPid}-1-x`;
    await must('ip', ['netns', 'add', ns]);
    const sleeper = spawn('ip', ['netns', 'exec', ns, 'sleep', '300'], { stdio: 'ignore' });
    const closed = new Promise((resolve) => sleeper.on('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await scenarioNamespaces()).toContain(ns);
    const removed = await scenarioLeftoversSweep();
    expect(removed).toContain(ns);
    expect(removed.filter((n) => n.startsWith(`pl-ktrace-${process.pid}-`))).toEqual([]);
    expect(await scenarioNamespaces()).not.toContain(ns);
    await closed;
    expect(sleeper.signalCode).toBe('SIGTERM');
  });
});

describe('snapshotOfNetns', () => {
  it('is the collector snapshot of the namespace, without the trace table when tracing is off', async () => {
    const r = built.ns('r');
    const snap = await snapshotOfNetns(r, 'r');
    expect(snap.host.name).toBe('r');
    expect(snap.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const nat = snap.netfilter.iptables
      .find((d) => d.family === 'ip' && d.backend === 'nft')
      ?.tables.find((t) => t.name === 'nat');
    expect(nat?.chains.find((c) => c.name === 'PREROUTING')?.rules.map((x) => x.text)).toEqual([
      '-A PREROUTING -d 10.77.1.1/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.77.2.2:8080',
      '-A PREROUTING -d 10.77.1.1/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10.77.2.2:5353',
    ]);
    expect(snap.addresses.map((a) => `${a.ifname} ${a.local}/${a.prefixlen}`)).toEqual(
      expect.arrayContaining(['c0 10.77.1.1/24', 'b0 10.77.2.1/24']),
    );
    expect(snap.sysctls['net.ipv4.ip_forward']).toBe('1');
    expect(snap.netfilter.nftables?.tables.map((t) => t.name)).not.toContain(traceTable());
  });
});
