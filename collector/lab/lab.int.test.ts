import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../netns/netns';
import { LabDescription } from './lab-description';
import { labPaths } from './lab-paths';
import { labStateRead } from './lab-state';
import type { LabStatus } from './lab-status';
import { sshArgs } from './lab-verify';
import { labDirProcesses } from './leftovers';

// Drives `npm run lab` exactly as a developer does (the same script, through tsx), against the
// real kernel, sshd and CNI plugins. Needs root; always ends with `down`.

const isRoot = process.getuid?.() === 0;
const repo = path.resolve(__dirname, '..', '..');
const paths = labPaths();

function lab(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', path.join(repo, 'scripts', 'lab.ts'), ...args]);
}

async function status(): Promise<LabStatus> {
  const result = await lab('status', '--json');
  return JSON.parse(result.stdout) as LabStatus;
}

async function ip(...args: string[]): Promise<string> {
  const result = await run('ip', args);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

async function inNode(ns: string, cmd: string, ...args: string[]): Promise<string> {
  const result = await run('ip', [
    'netns',
    'exec',
    ns,
    'env',
    `XTABLES_LOCKFILE=${paths.xtablesLock}`,
    cmd,
    ...args,
  ]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

async function expectNothingLeft(): Promise<void> {
  expect((await ip('netns', 'list')).split('\n').filter((l) => l.startsWith('pl-lab-'))).toEqual([]);
  expect((await ip('-br', 'link')).split('\n').filter((l) => l.startsWith('pl-lab-'))).toEqual([]);
  expect(labDirProcesses(paths.dir)).toEqual([]);
  expect(existsSync(paths.dir)).toBe(false);
}

describe.runIf(isRoot)('npm run lab', () => {
  afterAll(async () => {
    await lab('down');
  });

  it('builds the lab, keeps it on a second up, and removes all of it on down', async () => {
    const up = await lab('up');
    expect(up.code, up.stderr).toBe(0);

    const first = await status();
    expect(first.state).toBe('up');
    expect(first.nodes.map((n) => `${n.name} ${n.address} ${n.jump ?? '-'}`)).toEqual([
      'node-1 198.18.0.11 -',
      'node-2 198.18.0.12 -',
      'node-3 198.18.1.13 node-1',
    ]);
    for (const n of first.nodes) expect(n.sshdPid).toBeGreaterThan(0);
    expect(first.pods).toHaveLength(6);
    for (const p of first.pods) expect(p.ip).toMatch(new RegExp(`^10\\.244\\.${p.node.slice(-1)}\\.\\d+$`));

    // The root namespace has the lab's one link, and no route to node-3 or to any pod through it.
    expect((await ip('-br', 'link')).split('\n').filter((l) => l.startsWith('pl-lab-'))).toHaveLength(1);
    for (const address of ['198.18.1.13', '10.244.1.2']) {
      expect(await ip('route', 'get', address)).not.toContain('pl-lab-link');
    }

    // The files the collector uses as they are.
    const description = LabDescription.parse(JSON.parse(readFileSync(paths.description, 'utf8')));
    const inventory = parse(readFileSync(paths.inventory, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(inventory)).toEqual(['defaults', 'hosts', 'collectEveryMinutes']);
    expect(inventory.hosts).toContainEqual({
      name: 'node-3',
      address: '198.18.1.13',
      jump: 'node-1',
      labels: { cluster: 'lab', role: 'worker' },
    });
    expect(readFileSync(paths.knownHosts, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(
      description.services.find((s) => s.name === 'default/web:http')?.endpoints.map((e) => e.node),
    ).toEqual(['node-1', 'node-2', 'node-3']);

    // SSH as the collector will: the lab key, the lab known_hosts, strict; node-3 only via node-1.
    const ssh = await run('ssh', sshArgs(paths, '198.18.0.11', 'true'));
    expect(ssh.code, ssh.stderr).toBe(0);
    const jump = await run('ssh', [
      '-F',
      paths.sshConfig,
      '-J',
      'root@198.18.0.11',
      'root@198.18.1.13',
      'hostname',
    ]);
    expect(jump.stdout.trim(), jump.stderr).toBe('node-3');

    // The rule sets each node was given, read back from the kernel.
    const web = description.pods.find((p) => p.name === 'default/web-1')!;
    expect(await inNode('pl-lab-node-1', 'iptables-nft-save', '-t', 'nat')).toContain(
      `--comment "default/web:http -> ${web.ip}:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-`,
    );
    expect(await inNode('pl-lab-node-2', 'iptables-legacy-save')).toContain('-A INPUT -j HOST-FIREWALL');
    expect(await inNode('pl-lab-node-2', 'iptables-nft-save', '-t', 'nat')).toContain(
      '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8081 -j DNAT --to-destination 172.17.0.2:80',
    );
    expect(await inNode('pl-lab-node-3', 'nft', 'list', 'map', 'ip', 'kube-proxy', 'service-ips')).toContain(
      '10.96.0.10 . tcp . 80 : goto service-',
    );

    // A second up keeps the same lab: same sshd processes, same pods.
    const again = await lab('up');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('the lab is up already');
    expect(await status()).toEqual(first);

    const down = await lab('down');
    expect(down.code, down.stderr).toBe(0);
    await expectNothingLeft();
    for (const n of first.nodes) expect(existsSync(`/proc/${n.sshdPid}`)).toBe(false);
    expect((await status()).state).toBe('down');
  });

  it('removes a lab whose up was killed half way, CNI DEL included', async () => {
    expect((await lab('down')).code).toBe(0); // start from nothing, whatever the test before left
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'scripts', 'lab.ts'), 'up'], {
      stdio: 'ignore',
    });
    // Kill it once some pods are attached: sshd, namespaces and CNI state are all half there.
    const deadline = Date.now() + 60_000;
    while ((labStateRead(paths.state)?.pods.length ?? 0) < 3 && Date.now() < deadline) await sleep(20);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(labStateRead(paths.state)?.complete).toBe(false);
    expect((await status()).state).toBe('degraded');

    const down = await lab('down');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain('CNI DEL pl-lab-pod-node-1-1');
    await expectNothingLeft();
  });
});
