import { describeError, UsageError } from './cli-error';
import { collectCommand, collectHelp } from './collect-command';
import { diffCommand, diffHelp } from './diff-command';
import { driftCommand, driftHelp } from './drift-command';
import { exportCommand, exportHelp } from './export-command';
import { flowsCommand, flowsHelp } from './flows-command';
import { historyCommand, historyHelp } from './history-command';
import { hostsCommand, hostsHelp } from './hosts-command';
import { serveCommand, serveHelp } from './serve-command';
import { importCommand, importHelp } from './import-command';
import { statsCommand, statsHelp } from './stats-command';
import { traceCommand, traceHelp } from './trace-command';
import { warningsCommand, warningsHelp } from './warnings-command';

/** Resolves to the exit code when it is not 0 (e.g. `collect` when a host failed). */
type Command = (
  argv: string[],
  stdout: (s: string) => void,
  stderr: (s: string) => void,
) => Promise<number | void>;

const commands: Record<string, { run: Command; help: string; summary: string }> = {
  import: {
    run: importCommand,
    help: importHelp,
    summary: 'build a snapshot from iptables-save, nft -j, ip -j and ipset outputs',
  },
  export: {
    run: exportCommand,
    help: exportHelp,
    summary: 'write a snapshot back as iptables-save, ip6tables-save or JSON',
  },
  stats: { run: statsCommand, help: statsHelp, summary: 'rule and chain counts, the longest chain' },
  flows: {
    run: flowsCommand,
    help: flowsHelp,
    summary: 'DNAT and SNAT flows: what each catches, who wrote it, endpoints and their shares',
  },
  warnings: {
    run: warningsCommand,
    help: warningsHelp,
    summary: 'rule-count, restore-time and hygiene warnings with their thresholds and sources',
  },
  diff: { run: diffCommand, help: diffHelp, summary: 'what changed between two snapshots (files or store)' },
  drift: { run: driftCommand, help: driftHelp, summary: 'rules only some hosts of a label (or files) hold' },
  collect: {
    run: collectCommand,
    help: collectHelp,
    summary: 'collect hosts over SSH (and this machine) into the store',
  },
  hosts: {
    run: hostsCommand,
    help: hostsHelp,
    summary: 'the last collection of every host: fresh, stale or failed',
  },
  trace: {
    run: traceCommand,
    help: traceHelp,
    summary: "walk a packet through the hosts' netfilter, NAT and routing: every path it can take",
  },
  history: {
    run: historyCommand,
    help: historyHelp,
    summary: "a host's rule counts over time, growth and projected threshold crossings",
  },
  serve: {
    run: serveCommand,
    help: serveHelp,
    summary: 'the dashboard, collecting the inventory on a schedule',
  },
};

const usage = `Usage: packetlens COMMAND [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}

Run 'packetlens COMMAND --help' for a command's options.`;

/** Runs one CLI invocation; returns the exit code. Errors are one line on stderr. */
export async function main(
  argv: string[],
  io = { stdout: (s: string) => console.log(s), stderr: (s: string) => console.error(s) },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  try {
    if (!command)
      throw new UsageError(`unknown command '${name}' (commands: ${Object.keys(commands).join(', ')})`);
    const code = await command.run(rest, io.stdout, io.stderr);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    const { line, code } = describeError(command ? name : '', e);
    io.stderr(line.replace('packetlens : ', 'packetlens: '));
    return code;
  }
}
