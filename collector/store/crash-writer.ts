/**
 * The child of sqlite-store.int.test.ts: collects made-up kube-proxy hosts into a store in a loop,
 * run after run, until it is killed. Around each save it prints `saving N` and, once committed,
 * `saved N` (N counting this process's saves), so the test can kill it inside a save and knows what
 * must have survived.
 *
 *   node --import tsx collector/store/crash-writer.ts STORE_FILE HOSTS SERVICES START_MINUTE
 */
import { sampleSnapshot } from './sample-kube-proxy';
import { openStore } from './sqlite-store';

const [file, hostsArg = '4', servicesArg = '200', startArg = '0'] = process.argv.slice(2);
if (!file) throw new Error('usage: crash-writer.ts STORE_FILE [HOSTS] [SERVICES] [START_MINUTE]');
const hostCount = Number(hostsArg);
const services = Number(servicesArg);

// Three rule sets per host, built once: collections cycle through them, so saves mix new bodies
// and deduplicated observations.
const hosts = Array.from({ length: hostCount }, (_, h) => {
  const name = `node-${h}`;
  const extraRules = [undefined, 3 * h + 1, 3 * h + 2];
  return extraRules.map((extraRule) => sampleSnapshot(name, { services, extraRule }, new Date(0)));
});

const store = openStore(file);
let saved = 0;
for (let minute = Number(startArg); ; minute++) {
  const collectedAt = new Date(Date.UTC(2026, 0, 1) + minute * 60_000).toISOString();
  const runId = store.runStart({ hosts: hosts.map((samples) => samples[0]!.host) });
  hosts.forEach((samples, h) => {
    const sample = samples[(minute + h) % samples.length]!;
    const snapshot = { ...sample.snapshot, host: { ...sample.snapshot.host, collectedAt } };
    process.stdout.write(`saving ${saved + 1}\n`);
    store.snapshotSave(sample.host, snapshot, sample.raw, sample.stats, runId);
    process.stdout.write(`saved ${++saved}\n`);
    store.runHostResult(runId, sample.host.name, { status: 'ok' });
  });
  store.runFinish(runId);
}
