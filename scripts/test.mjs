// `npm test`: install what the tests need, then typecheck, lint, unit, integration, build and e2e.
// Every phase runs even after a failure, so one run reports them all; the last line is the
// `N passed, N failed` total that CI reads. Plain Node only: it runs before `npm ci`.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeDepsEnsure } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, 'test-results');
const isRoot = process.getuid?.() === 0;
const debianPackages = [
  'iptables',
  'nftables',
  'iproute2',
  'openssh-server',
  'chromium',
  'containernetworking-plugins',
  'ipset',
  // Lints the collect script packetlens sends to hosts.
  'shellcheck',
];
const minute = 60_000;

// --- installs -----------------------------------------------------------------------------------

function debianPackageInstalled(name) {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return query.status === 0 && query.stdout.trim() === 'install ok installed';
}

/** Installs missing Debian packages when root; otherwise says what is missing. */
function debianPackagesEnsure() {
  if (spawnSync('dpkg-query', ['--version']).error) {
    console.log('[deps] dpkg-query not found: not Debian, cannot check ' + debianPackages.join(' '));
    return;
  }
  const missing = debianPackages.filter((name) => !debianPackageInstalled(name));
  if (missing.length === 0) return;
  if (!isRoot) {
    console.log(`[deps] missing Debian packages: ${missing.join(' ')}`);
    console.log(
      '[deps] integration and e2e tests need them and need root: run npm test as root to install them',
    );
    return;
  }
  console.log(`[deps] installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const steps = [
    ['apt-get', ['update']],
    ['apt-get', ['install', '-y', '--no-install-recommends', ...missing]],
  ];
  for (const [command, args] of steps) {
    const result = spawnSync(command, args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.log(`[deps] ${command} ${args[0]} failed; the phases that need ${missing.join(' ')} will fail`);
      return;
    }
  }
}

// --- running a phase ----------------------------------------------------------------------------

let current; // the running child, so a signal to us also stops it

function groupKill(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (current) groupKill(current, signal);
    process.exit(128 + constants.signals[signal]);
  });
}

/** Runs a command in its own process group, killed whole when it outlives `timeoutMs`. */
function run(command, args, { timeoutMs, env = {} }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: 'inherit',
      detached: true,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    });
    current = child;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      groupKill(child, 'SIGTERM');
      setTimeout(() => groupKill(child, 'SIGKILL'), 10_000).unref();
    }, timeoutMs);
    child.on('error', (error) => console.error(`[test] ${command}: ${error.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      current = undefined;
      resolve({ code: code ?? 1, timedOut });
    });
  });
}

const timeoutNote = (ms) => `timed out after ${Math.round(ms / 1000)}s`;

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A command whose exit status is the whole result, counted as one test. */
async function singleCheck(command, args, timeoutMs) {
  const { code, timedOut } = await run(command, args, { timeoutMs });
  if (timedOut) return { passed: 0, failed: 1, note: timeoutNote(timeoutMs) };
  return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1, note: `exit ${code}` };
}

/** A vitest project (npm script `test:PROJECT`), counted from its JSON report. */
async function vitestProject(project, extraArgs, timeoutMs) {
  const report = path.join(resultsDir, `vitest-${project}.json`);
  const args = ['run', `test:${project}`, '--', '--reporter=default', '--reporter=json'];
  const { code, timedOut } = await run('npm', [...args, `--outputFile.json=${report}`, ...extraArgs], {
    timeoutMs,
  });
  const json = readJson(report);
  const passed = json?.numPassedTests ?? 0;
  let failed = json?.numFailedTests ?? 0;
  const skipped = (json?.numPendingTests ?? 0) + (json?.numTodoTests ?? 0);
  // A file that fails to load or an unhandled error fails the run without failing a test: count it.
  if ((code !== 0 || timedOut) && failed === 0) failed = Math.max(1, json?.numFailedTestSuites ?? 0);
  let note = skipped ? `${skipped} skipped` : undefined;
  if (timedOut) note = timeoutNote(timeoutMs);
  else if (!json) note = `no JSON report (exit ${code})`;
  return { passed, failed, note };
}

/** Playwright against the built app, counted from its JSON report. */
async function playwrightRun(timeoutMs) {
  const report = path.join(resultsDir, 'e2e.json');
  const port = await portFree();
  const { code, timedOut } = await run('npm', ['run', 'test:e2e'], {
    timeoutMs,
    env: { PACKETLENS_E2E_PORT: String(port) },
  });
  const stats = readJson(report)?.stats;
  const passed = (stats?.expected ?? 0) + (stats?.flaky ?? 0);
  let failed = stats?.unexpected ?? 0;
  // A config error or a web server that never came up fails the run before any test does.
  if ((code !== 0 || timedOut) && failed === 0) failed = 1;
  let note = stats?.flaky ? `${stats.flaky} flaky` : stats?.skipped ? `${stats.skipped} skipped` : undefined;
  if (timedOut) note = timeoutNote(timeoutMs);
  else if (!stats) note = `no JSON report (exit ${code})`;
  return { passed, failed, note };
}

/** A port nobody listens on now, so a dev server on 3100 does not collide with the e2e server. */
function portFree() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// --- the run ------------------------------------------------------------------------------------

/** The lab's namespaces now (the integration and e2e tests bring the lab up and share it). */
function labNamespacesNow() {
  if (!isRoot) return [];
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return (list.stdout ?? '').split('\n').filter((line) => line.startsWith('pl-lab-'));
}

/** Takes down the lab this run brought up, so a test run leaves no namespace or veth behind. */
function labDownIfOurs(labWasUp) {
  if (labWasUp || labNamespacesNow().length === 0) return;
  console.log('\n=== lab down (this run brought it up) ===');
  const down = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/lab.ts', 'down'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (down.status !== 0)
    console.log(`[test] npm run lab -- down failed (exit ${down.status}): run it by hand`);
}

const started = Date.now();
debianPackagesEnsure();
if (!nodeDepsEnsure(root)) {
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}
rmSync(resultsDir, { recursive: true, force: true });

// Each phase gets at most `minutes`, and never past the deadline, so a hang cannot stretch the run
// beyond 20 minutes.
const deadline = started + 19 * minute;
const phases = [
  { name: 'typecheck', minutes: 3, run: (ms) => singleCheck('npm', ['run', 'typecheck'], ms) },
  { name: 'lint', minutes: 3, run: (ms) => singleCheck('npm', ['run', 'lint'], ms) },
  { name: 'unit', minutes: 3, run: (ms) => vitestProject('unit', [], ms) },
  {
    name: 'integration',
    minutes: 6,
    run: async (ms) => {
      if (!isRoot) {
        console.log(
          '[test] integration tests need root (network namespaces, iptables, nft): counted as failed',
        );
        return { passed: 0, failed: 1, note: 'not root: not run' };
      }
      // --passWithNoTests while the project may still be empty; harmless once it has tests.
      return vitestProject('integration', ['--passWithNoTests'], ms);
    },
  },
  { name: 'build', minutes: 4, run: (ms) => singleCheck('npm', ['run', 'build'], ms) },
  {
    name: 'e2e',
    minutes: 4,
    // A failed build would leave an older .next behind: testing that would pass or fail for nothing.
    run: (ms) =>
      buildPassed() ? playwrightRun(ms) : { passed: 0, failed: 1, note: 'not run: build failed' },
  },
];

const labWasUp = labNamespacesNow().length > 0;
const results = [];
const buildPassed = () => results.some((result) => result.name === 'build' && result.failed === 0);
for (const phase of phases) {
  console.log(`\n=== ${phase.name} ===`);
  const phaseStarted = Date.now();
  const timeoutMs = Math.min(phase.minutes * minute, deadline - phaseStarted);
  const result =
    timeoutMs > 0
      ? await phase.run(timeoutMs)
      : { passed: 0, failed: 1, note: 'not run: time budget used up' };
  results.push({ name: phase.name, seconds: (Date.now() - phaseStarted) / 1000, ...result });
}

labDownIfOurs(labWasUp);

const totalPassed = results.reduce((sum, result) => sum + result.passed, 0);
const totalFailed = results.reduce((sum, result) => sum + result.failed, 0);

console.log('\nphase        passed  failed  time    note');
for (const result of results) {
  console.log(
    [
      result.name.padEnd(12),
      String(result.passed).padStart(6),
      String(result.failed).padStart(7),
      `${result.seconds.toFixed(0)}s`.padStart(6),
      '  ' + (result.note ?? (result.failed ? 'FAILED' : 'ok')),
    ].join(' '),
  );
}
console.log(`total time ${((Date.now() - started) / 1000).toFixed(0)}s\n`);
console.log(`${totalPassed} passed, ${totalFailed} failed`);
process.exit(totalFailed > 0 ? 1 : 0);
