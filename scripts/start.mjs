// `npm start`: install what is missing, build when sources changed, then serve the built app.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeDepsEnsure } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const host = process.env.HOST || '127.0.0.1';
const port = process.env.PORT || '3000';
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
const buildInputs = [
  'app',
  'components',
  'lib',
  'collector',
  'proxy.ts',
  'instrumentation.ts',
  'public',
  'package-lock.json',
  'next.config.ts',
  'tsconfig.json',
];

/** Newest modification time of a file or of any file below a folder (0 when it does not exist). */
function newestMtimeMs(target) {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file only shows as a newer folder
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtimeMs(path.join(target, entry)));
  return newest;
}

function buildIsStale() {
  const built = newestMtimeMs(path.join(root, '.next', 'BUILD_ID'));
  if (built === 0) return true;
  return buildInputs.some((input) => newestMtimeMs(path.join(root, input)) > built);
}

// Firewall rules are sensitive: anywhere but loopback the dashboard needs an access token (the
// proxy then asks every request for it). See README, "Serving on another address".
const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const token = process.env.PACKETLENS_ACCESS_TOKEN ?? '';
if (!loopback.test(host) && token.length < 16) {
  console.error(
    `[start] refusing to listen on ${host}: set PACKETLENS_ACCESS_TOKEN (at least 16 characters) to serve ` +
      'the dashboard on an address other than loopback, or leave HOST unset for 127.0.0.1',
  );
  process.exit(1);
}

if (!nodeDepsEnsure(root)) process.exit(1);

// The machine has no general network: keep Next from trying to send telemetry.
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

if (buildIsStale()) {
  console.log('[start] sources changed since the last build: running next build');
  const build = spawnSync(process.execPath, [nextBin, 'build'], { cwd: root, stdio: 'inherit', env });
  if (build.status !== 0) {
    console.error('[start] next build failed');
    process.exit(build.status ?? 1);
  }
} else {
  console.log('[start] build is up to date');
}

console.log(`[start] serving on http://${host}:${port}`);
const server = spawn(process.execPath, [nextBin, 'start', '--hostname', host, '--port', port], {
  cwd: root,
  stdio: 'inherit',
  env,
});

// Forward signals so Ctrl-C or a supervisor's SIGTERM stops the server, then exit with its status.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
});
