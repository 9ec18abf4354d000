import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectScript, framedScript } from './collect-script';
import { hostCommands, routingCommands } from './command-list';
import { parseSections } from './parse-sections';
import { runScript } from './run-script';
import { shellQuote, shellQuoteAll } from './shell-quote';

const dir = mkdtempSync(path.join(tmpdir(), 'packetlens-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const variants = [{}, { sudo: true }, { pods: false }, { compress: 'never' as const, searchSbin: false }];

describe('collectScript', () => {
  it.each(['sh', 'bash', 'dash'].filter(has))('is valid %s', (shell) => {
    for (const opts of variants) {
      const result = spawnSync(shell, ['-n'], { input: collectScript(opts) });
      expect(result.stderr.toString()).toBe('');
      expect(result.status).toBe(0);
    }
  });

  it('passes shellcheck as POSIX sh', () => {
    for (const opts of variants) {
      const result = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: collectScript(opts) });
      expect(result.stdout.toString()).toBe('');
    }
  });

  it('runs every allowed host command, and the routing ones inside namespaces', () => {
    const script = collectScript();
    for (const c of hostCommands) expect(script).toContain(`pl_run host:${c.key} ${shellQuoteAll(c.argv)}\n`);
    for (const c of routingCommands) {
      expect(script).toContain(`pl_run "$pl_k:${c.key}" "$@" ${shellQuoteAll(c.argv.slice(1))}\n`);
    }
    expect(collectScript({ pods: false })).not.toContain('  pl_pods\n');
  });

  it('carries outside values only quoted', () => {
    const hostile = "/var/lib/cni/x'; touch /tmp/packetlens-pwned #";
    expect(collectScript({ cniResultDirs: [hostile] })).toContain(`  pl_cni ${shellQuote(hostile)}\n`);
  });

  it('reads CNI results from a directory whose name is hostile, literally', async () => {
    const cni = path.join(dir, "cni'; touch pwned; echo '$(touch pwned2)");
    mkdirSync(cni);
    writeFileSync(path.join(cni, 'net-abc-eth0'), '{"containerId":"abc"}');
    const script = framedScript([`pl_cni ${shellQuoteAll([cni, path.join(dir, 'absent')])}`], {
      compress: 'never',
    });
    const result = spawnSync('sh', ['-s'], { input: script, cwd: dir });
    const { sections } = parseSections(result.stdout, 'local');
    expect(sections.map((s) => [s.name, s.stdout])).toEqual([
      ['discover:cni-dir1', 'net-abc-eth0\n'],
      ['cni1:path', `${cni}/net-abc-eth0`],
      ['cni1:result', '{"containerId":"abc"}'],
    ]);
    expect(existsSync(path.join(dir, 'pwned'))).toBe(false);
    expect(existsSync(path.join(dir, 'pwned2'))).toBe(false);
  });

  it('runs each command with sudo -n when asked', async () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'sudo'), '#!/bin/sh\nprintf "sudo %s\\n" "$*"\n');
    chmodSync(path.join(bin, 'sudo'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const body = ['pl_run test:uname uname -s', 'pl_run test:gone packetlens-no-such-tool'];
    const run = async (sudo: boolean) =>
      parseSections((await runScript(framedScript(body, { sudo, compress: 'never' }), { env })).stdout, 'h')
        .sections;
    const [uname, gone] = await run(true);
    expect(uname!.stdout).toMatch(/^sudo -n \/\S*\/uname -s\n$/);
    expect(gone).toMatchObject({ missing: true, exitCode: 127 });
    expect((await run(false))[0]!.stdout).toBe('Linux\n');
  });
});
