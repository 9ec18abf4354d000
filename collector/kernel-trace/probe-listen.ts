import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';

/**
 * A real listener inside a namespace for probes to reach: TCP accepts and answers with its name,
 * UDP echoes its name back. It is this Node binary run in the namespace (`ip netns exec`), on `::`
 * with IPv4 mapped (one socket for both families), or on 0.0.0.0 where IPv6 is off.
 */

const listenerScript = `
const net = require('node:net');
const dgram = require('node:dgram');
const [name, tcpList, udpList] = process.argv.slice(1);
const ports = (s) => (s === '' ? [] : s.split(',').map(Number));
let pending = ports(tcpList).length + ports(udpList).length;
const ready = () => { if (--pending === 0) console.log('ready'); };
for (const port of ports(tcpList)) {
  const server = net.createServer((c) => {
    c.on('error', () => {});
    c.end(name + '\\n');
  });
  server.on('error', (e) => {
    if (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL') server.listen(port, '0.0.0.0', ready);
    else { console.error('tcp ' + port + ': ' + e.message); process.exit(1); }
  });
  server.listen({ port, host: '::', ipv6Only: false }, ready);
}
for (const port of ports(udpList)) {
  let sock = dgram.createSocket({ type: 'udp6', ipv6Only: false });
  const serve = (s) => s.on('message', (m, r) => s.send(name + '\\n', r.port, r.address));
  sock.on('error', (e) => {
    if (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL') {
      sock = dgram.createSocket('udp4');
      serve(sock);
      sock.bind(port, '0.0.0.0', ready);
    } else { console.error('udp ' + port + ': ' + e.message); process.exit(1); }
  });
  serve(sock);
  sock.bind(port, '::', ready);
}
if (pending === 0) console.log('ready');
`;

export interface ProbeListener {
  netns: string;
  name: string;
  pid: number | undefined;
  stop: () => Promise<void>;
}

export interface ListenPorts {
  tcp?: readonly number[];
  udp?: readonly number[];
}

/** Starts the listener and resolves once every port is bound. */
export function probeListen(netns: string, name: string, ports: ListenPorts): Promise<ProbeListener> {
  const child: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      netns,
      process.execPath,
      '-e',
      listenerScript,
      name,
      (ports.tcp ?? []).join(','),
      (ports.udp ?? []).join(','),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let exited = false;
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.on('exit', () => (exited = true));
  const stop = async () => {
    // ip netns exec execs node, so this pid is the listener itself.
    if (!exited) child.kill('SIGKILL');
    await closed;
  };
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`listener ${name} in ${netns} did not start within 10 s: ${err.trim()}`));
    }, 10_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve({ netns, name, pid: child.pid, stop });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`listener ${name} in ${netns} exited (${code}): ${err.trim()}`));
    });
  });
}
