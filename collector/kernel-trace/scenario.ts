import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Probe } from '../../lib/kernel-trace/probe';
import type { TraceSelector } from '../../lib/kernel-trace/trace-table';
import { processAlive, processesStop } from '../lab/leftovers';
import { netnsRun, run } from '../netns/netns';
import type { ListenPorts, ProbeListener } from './probe-listen';
import { probeListen } from './probe-listen';

/**
 * Throwaway namespaces wired into a small network, with rules loaded the way the real programs load
 * them (iptables-restore of either backend, nft -f). Nothing touches the root namespace: every link
 * is a veth between two scenario namespaces. Names are `pl-ktrace-<pid>-<n>-<role>`, so a sweep can
 * find the leftovers of a run that died, and nobody else's namespaces are touched.
 */

export const scenarioPrefix = 'pl-ktrace-';

export interface LinkEnd {
  role: string;
  ifname: string;
  /** With prefix length; IPv6 ones are added without duplicate address detection. */
  addrs?: readonly string[];
  /** Make this end a port of that bridge (in the same namespace) instead of giving it addresses. */
  bridge?: string;
}

export interface BridgeSpec {
  role: string;
  name: string;
  addrs?: readonly string[];
}

export type RulesTool = 'iptables-nft' | 'ip6tables-nft' | 'iptables-legacy' | 'ip6tables-legacy' | 'nft';

export interface ScenarioSpec {
  name: string;
  roles: readonly string[];
  /** Routers: IPv4 and IPv6 forwarding on. */
  routers?: readonly string[];
  bridges?: readonly BridgeSpec[];
  links: readonly { a: LinkEnd; b: LinkEnd }[];
  /** Extra `ip` commands per namespace, run after the links: routes, rules, addresses on lo. */
  ip?: readonly { role: string; args: readonly string[] }[];
  sysctls?: readonly { role: string; key: string; value: string }[];
  /** Loaded in order; iptables payloads with --noflush, so several can share a table. */
  rules?: readonly { role: string; tool: RulesTool; text: string }[];
  listeners?: readonly { role: string; ports: ListenPorts }[];
}

/** A probe the scenario sends, with what the kernel is expected to do (for the harness' own tests). */
export interface ScenarioProbe {
  label: string;
  probe: Probe;
  /** More packets to trace than the probe's own port, e.g. after a NAT that rewrites it. */
  selectors?: readonly TraceSelector[];
  expect: ScenarioExpectation;
}

export interface ScenarioExpectation {
  /** The forward path's disposition. */
  disposition: 'delivered' | 'left' | 'dropped' | 'rejected' | 'vanished';
  /** Role(s) where the forward path may end; a load-balanced service lists every endpoint. */
  endsIn: string | readonly string[];
  outcome: 'connected' | 'answered' | 'refused' | 'unreachable' | 'timeout';
  /** The rule that decided at one hop: a drop, a reject, a NAT. */
  rule?: { role: string; hook: string; table: string; chain: string; text: string; verdict: string };
  /** A base chain whose policy decided at one hop. */
  policy?: { role: string; hook: string; table: string; chain: string; verdict: string };
  /** Chains (base or jumped to) that must appear at a hop, in this order. */
  chains?: { role: string; chains: readonly string[] };
  /** Output interface the packet left a hop by. */
  oif?: { role: string; oif: string };
  /** The packet where the path ends. */
  final?: { saddr?: string; daddr?: string; dport?: number };
  /** A hop where the trace shows no chain at all besides the trace table's (iptables-legacy rules). */
  untracedAt?: string;
  /** The reply path's disposition and where it ends. */
  reply?: { disposition: 'delivered' | 'dropped' | 'rejected' | 'vanished' | 'not-seen'; endsIn?: string };
}

export interface Scenario {
  spec: ScenarioSpec;
  probes: readonly ScenarioProbe[];
  /** Roles to trace for the probes (normally every role). */
  traced: readonly string[];
}

export interface BuiltScenario {
  name: string;
  /** Namespace name of a role. */
  ns: (role: string) => string;
  /** Every namespace, in the spec's role order. */
  namespaces: readonly string[];
  /** The probe with its `from` role turned into the namespace name. */
  probe: (p: ScenarioProbe) => Probe;
  /** Role of a namespace name. */
  role: (netns: string) => string;
  teardown: () => Promise<void>;
}

let counter = 0;

async function must(
  what: string,
  r: Promise<{ code: number; stderr: string; stdout: string }>,
): Promise<string> {
  const res = await r;
  if (res.code !== 0)
    throw new Error(`${what} failed (exit ${res.code}): ${(res.stderr || res.stdout).trim()}`);
  return res.stdout;
}

function ipArgs(ns: string, args: readonly string[]): string[] {
  // `ip -6 ...` keeps its family flag before -n.
  return args[0] === '-6' || args[0] === '-4' ? [args[0], '-n', ns, ...args.slice(1)] : ['-n', ns, ...args];
}

async function addrAdd(ns: string, ifname: string, addr: string): Promise<void> {
  const v6 = addr.includes(':');
  const args = [...(v6 ? ['-6'] : []), 'addr', 'add', addr, 'dev', ifname, ...(v6 ? ['nodad'] : [])];
  await must(`ip ${args.join(' ')} in ${ns}`, run('ip', ipArgs(ns, args)));
}

function restoreCommand(tool: RulesTool): string[] {
  switch (tool) {
    case 'nft':
      return ['nft', '-f', '-'];
    default:
      return [`${tool}-restore`, '--noflush'];
  }
}

/** Creates the scenario; on any failure everything made so far is removed before the error is thrown. */
export async function scenarioBuild(spec: ScenarioSpec): Promise<BuiltScenario> {
  const id = `${scenarioPrefix}${process.pid}-${++counter}`;
  const names = new Map<string, string>(spec.roles.map((r) => [r, `${id}-${r}`]));
  const ns = (role: string): string => {
    const n = names.get(role);
    if (!n) throw new Error(`scenario ${spec.name}: no role '${role}'`);
    return n;
  };
  const created: string[] = [];
  const listeners: ProbeListener[] = [];
  // iptables-legacy locks /run/xtables.lock by default; a private lock keeps the machine's out of it.
  const lockDir = mkdtempSync(path.join(tmpdir(), 'packetlens-ktrace-'));
  const lockEnv = `XTABLES_LOCKFILE=${path.join(lockDir, 'xtables.lock')}`;
  const teardown = async () => {
    await Promise.all(listeners.map((l) => l.stop()));
    for (const n of created) await scenarioNamespaceRemove(n);
    rmSync(lockDir, { recursive: true, force: true });
  };
  try {
    for (const role of spec.roles) {
      await must(`ip netns add ${ns(role)}`, run('ip', ['netns', 'add', ns(role)]));
      created.push(ns(role));
      await must('lo up', run('ip', ['-n', ns(role), 'link', 'set', 'lo', 'up']));
      // No duplicate address detection: while a link-local address is tentative, a router sends no
      // neighbour solicitation for a forwarded packet, which holds the first IPv6 packet for a second.
      await must(
        'accept_dad',
        netnsRun(ns(role), 'sysctl', [
          '-qw',
          'net.ipv6.conf.all.accept_dad=0',
          'net.ipv6.conf.default.accept_dad=0',
        ]),
      );
    }
    for (const role of spec.routers ?? []) {
      await must('ip_forward', netnsRun(ns(role), 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']));
      await must('ipv6 forwarding', netnsRun(ns(role), 'sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1']));
    }
    for (const s of spec.sysctls ?? []) {
      await must(`sysctl ${s.key}`, netnsRun(ns(s.role), 'sysctl', ['-qw', `${s.key}=${s.value}`]));
    }
    for (const b of spec.bridges ?? []) {
      await must(`bridge ${b.name}`, run('ip', ['-n', ns(b.role), 'link', 'add', b.name, 'type', 'bridge']));
      for (const a of b.addrs ?? []) await addrAdd(ns(b.role), b.name, a);
      await must('bridge up', run('ip', ['-n', ns(b.role), 'link', 'set', b.name, 'up']));
    }
    for (const { a, b } of spec.links) {
      await must(
        `veth ${a.role}/${a.ifname} - ${b.role}/${b.ifname}`,
        run('ip', [
          '-n',
          ns(a.role),
          'link',
          'add',
          a.ifname,
          'type',
          'veth',
          'peer',
          'name',
          b.ifname,
          'netns',
          ns(b.role),
        ]),
      );
      for (const end of [a, b]) {
        if (end.bridge)
          await must(
            'bridge port',
            run('ip', ['-n', ns(end.role), 'link', 'set', end.ifname, 'master', end.bridge]),
          );
        for (const addr of end.addrs ?? []) await addrAdd(ns(end.role), end.ifname, addr);
        await must('link up', run('ip', ['-n', ns(end.role), 'link', 'set', end.ifname, 'up']));
      }
    }
    for (const role of spec.roles) await linksUp(ns(role));
    for (const c of spec.ip ?? []) {
      await must(`ip ${c.args.join(' ')} in ${c.role}`, run('ip', ipArgs(ns(c.role), c.args)));
    }
    for (const r of spec.rules ?? []) {
      const argv = restoreCommand(r.tool);
      await must(`${argv[0]} in ${r.role}`, netnsRun(ns(r.role), 'env', [lockEnv, ...argv], r.text));
    }
    for (const l of spec.listeners ?? []) listeners.push(await probeListen(ns(l.role), l.role, l.ports));
  } catch (e) {
    await teardown();
    throw e;
  }
  const roleOf = new Map<string, string>([...names].map(([r, n]) => [n, r]));
  return {
    name: spec.name,
    ns,
    namespaces: spec.roles.map(ns),
    probe: (p) => ({ ...p.probe, from: ns(p.probe.from) }),
    role: (netns) => roleOf.get(netns) ?? netns,
    teardown,
  };
}

const LinkList = z.array(z.object({ ifname: z.string(), operstate: z.string() }));

/**
 * Waits until the kernel reports every link of the namespace operationally up. A veth's carrier is
 * taken into account by the kernel's linkwatch work up to a second later; until then it drops what
 * is sent, and the first packet waits for a neighbour solicitation resent a second later.
 */
async function linksUp(netns: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await must(`ip -j link in ${netns}`, run('ip', ['-n', netns, '-j', 'link', 'show']));
    const down = LinkList.parse(JSON.parse(out)).filter((l) => l.ifname !== 'lo' && l.operstate !== 'UP');
    if (down.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${netns}: links not up after ${timeoutMs} ms: ${down.map((l) => `${l.ifname} ${l.operstate}`).join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Builds the scenario, runs fn, and removes it whatever fn does. */
export async function withScenario<T>(spec: ScenarioSpec, fn: (s: BuiltScenario) => Promise<T>): Promise<T> {
  const built = await scenarioBuild(spec);
  try {
    return await fn(built);
  } finally {
    await built.teardown();
  }
}

/** Deletes a scenario namespace after stopping what still runs in it. */
export async function scenarioNamespaceRemove(netns: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', netns]);
  const alive = pids.stdout
    .split('\n')
    .filter((l) => /^\d+$/.test(l.trim()))
    .map(Number);
  // Only processes inside our own namespaces: listeners and senders a dead run left behind.
  if (alive.length > 0) await processesStop(alive, 1000);
  await run('ip', ['netns', 'del', netns]);
}

/** Every `pl-ktrace-` namespace on the machine. */
export async function scenarioNamespaces(): Promise<string[]> {
  const r = await run('ip', ['-j', 'netns', 'list']);
  const list = r.stdout.trim() === '' ? [] : (JSON.parse(r.stdout) as { name: string }[]);
  return list.map((n) => n.name).filter((n) => n.startsWith(scenarioPrefix));
}

/** Removes the namespaces of runs whose process is gone; returns their names. */
export async function scenarioLeftoversSweep(): Promise<string[]> {
  const removed: string[] = [];
  for (const n of await scenarioNamespaces()) {
    const owner = Number(/^pl-ktrace-(\d+)-/.exec(n)?.[1] ?? NaN);
    if (Number.isInteger(owner) && processAlive(owner)) continue;
    await scenarioNamespaceRemove(n);
    removed.push(n);
  }
  return removed;
}
