/**
 * The teardown of last resort of `npm run bench:collect` (collect.ts starts it): a process of its
 * own session, so no Ctrl-C, hangup or kill of the bench's process group reaches it, reading a pipe
 * from the bench. The bench writes `done` once it has torn down what it made. When the pipe closes
 * without it (the bench was SIGKILLed, crashed, or lost its teardown), this removes every bench
 * namespace, the processes in them, the root veth and the bench's directory.
 *
 * argv: DIR (the bench's own directory), and `made-privsep` when /run/sshd did not exist before.
 */
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchHostsDown } from '../collector/lab/bench-hosts';

const [dir, privsep] = process.argv.slice(2);
const log = (line: string) => console.error(`bench:collect watchdog: ${line}`);

let done = false;
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'done') done = true;
});
lines.on('close', () => {
  if (done) return;
  void teardown();
});

async function teardown(): Promise<void> {
  log('the bench ended without tearing down: removing what it made');
  const state = { madePrivsepDir: privsep === 'made-privsep' };
  try {
    // A step the bench had started (ip, iptables-restore, sshd) may still finish: let it, then look.
    await sleep(1000);
    let left = await benchHostsDown(state, log);
    if (left.length > 0) {
      await sleep(2000);
      left = await benchHostsDown(state, log);
    }
    if (left.length > 0) log(`left behind: ${left.join(', ')}`);
  } catch (e) {
    log(`teardown failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
