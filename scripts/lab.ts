// `npm run lab -- up|down|status [--json]`: the lab of network namespaces with sshd, CNI pods and
// kube-proxy rules that integration tests, e2e tests and the demo run against. Root only.
import { labDown } from '../collector/lab/lab-down';
import { labPaths } from '../collector/lab/lab-paths';
import { labStatus, labStatusText } from '../collector/lab/lab-status';
import { labUp } from '../collector/lab/lab-up';

const usage = `Usage: npm run lab -- up|down|status [--json]

  up      build the lab (3 nodes with sshd, CNI pods, kube-proxy/Docker rules) or keep the one there
  down    remove every namespace, link, process and file the lab made (also after a crash)
  status  list nodes, sshd pids, addresses, pods and services; exit 0 up, 1 degraded, 3 down`;

const log = (line: string) => console.error(`lab: ${line}`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const json = rest.includes('--json');
  const unknown = rest.filter((a) => a !== '--json');
  if (command === '--help' || command === '-h') {
    console.log(usage);
    return 0;
  }
  if (!command || !['up', 'down', 'status'].includes(command) || unknown.length > 0) {
    console.error(usage);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error('lab: needs root (network namespaces, sshd, iptables): run it as root');
    return 1;
  }
  const paths = labPaths();
  if (command === 'up') {
    const result = await labUp(paths, log);
    for (const line of result.checks) log(`check: ${line}`);
    const status = await labStatus(paths);
    console.log(json ? JSON.stringify(status, null, 2) : labStatusText(status));
    return 0;
  }
  if (command === 'down') {
    const warnings = await labDown(paths, log);
    for (const w of warnings) log(`warning: ${w}`);
    log('down: nothing of the lab is left');
    return 0;
  }
  const status = await labStatus(paths);
  console.log(json ? JSON.stringify(status, null, 2) : labStatusText(status));
  return status.state === 'up' ? 0 : status.state === 'degraded' ? 1 : 3;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`lab: ${e instanceof Error ? e.message : String(e)}`);
    if (process.argv[2] === 'up') console.error('lab: run `npm run lab -- down` to remove what was built');
    process.exitCode = 1;
  },
);
