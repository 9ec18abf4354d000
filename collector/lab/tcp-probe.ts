import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { LabError } from './lab-exec';
import { run } from '../netns/netns';

/**
 * Proves reachability inside the lab with a real TCP exchange between namespaces: a listener that
 * answers with its name, and a client that prints the answer. Both are this Node binary run in the
 * namespace (`ip netns exec`), so nothing beyond the lab's own tools is needed and no packet leaves
 * the lab's namespaces.
 */

const listenerScript = `
const net = require('node:net');
const [name, ...ports] = process.argv.slice(1);
let pending = ports.length;
for (const port of ports) {
  net.createServer((c) => c.end(name + '\\n')).listen(Number(port), '0.0.0.0', () => {
    if (--pending === 0) console.log('ready');
  });
}
`;

const clientScript = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
const c = net.connect({ host, port: Number(port), timeout: 3000 });
let data = '';
c.on('data', (d) => (data += d));
c.on('end', () => process.stdout.write(data));
c.on('timeout', () => { console.error('timed out'); process.exit(2); });
c.on('error', (e) => { console.error(e.message); process.exit(1); });
`;

export interface TcpListener {
  namespace: string;
  stop: () => void;
}

/** Starts a listener answering `name` on each port; resolves once it accepts connections. */
export function tcpListen(namespace: string, name: string, ports: readonly number[]): Promise<TcpListener> {
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', namespace, process.execPath, '-e', listenerScript, name, ...ports.map(String)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = () => {
    // ip netns exec execs node, so this pid is the listener itself.
    if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
  };
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      stop();
      reject(new LabError(`listener in ${namespace} did not start within 5 s: ${err.trim()}`));
    }, 5000);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve({ namespace, stop });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new LabError(`listener in ${namespace} exited (${code}): ${err.trim()}`));
    });
  });
}

/** Connects from `namespace` to host:port and returns the listener's answer (its name). */
export async function tcpProbe(namespace: string, host: string, port: number): Promise<string> {
  const result = await run('ip', [
    'netns',
    'exec',
    namespace,
    process.execPath,
    '-e',
    clientScript,
    host,
    String(port),
  ]);
  if (result.code !== 0) {
    throw new LabError(`from ${namespace}, TCP to ${host}:${port} failed: ${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}
