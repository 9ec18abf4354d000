import { TraceQuery } from '../../lib/simulate/query';
import type { TraceEntry } from '../../lib/simulate/query';
import { traceText } from '../../lib/simulate/render-text';
import { simulate, TraceError } from '../../lib/simulate/simulate';
import { parseCommandArgs } from './args';
import { CliError, UsageError } from './cli-error';
import { readSnapshotFile } from './snapshot-file';

export const traceHelp = `Usage: packetlens trace SNAPSHOT.json... --src IP [--sport N] --dst IP|SERVICE [--dport N]
                       --proto tcp|udp|icmp|icmpv6|sctp [--iif IFACE | --from-pod NAME | --local]
                       [--host NAME] [--state new|established] [--mark N] [--no-reply]
                       [--assume-new-client] [--json]

Walks the packet through the hosts' netfilter hooks, NAT and routing as the kernel would, across
every host given, and prints each path it can take with its probability: every rule that matched,
policies, routing decisions and where it ends (delivered, forwarded, dropped, rejected, or a step
the simulator cannot decide, with the reason). A delivered packet's reply is walked back.

Options:
  --src IP          source address (default with --from-pod: the pod's address; with --local: the
                    address the host would choose)
  --sport N         source port (default 40000)
  --dst IP|SERVICE  destination address, or a kube-proxy service namespace/name:port
  --dport N         destination port (a service's port by default)
  --proto P         tcp, udp, icmp, icmpv6 or sctp
  --iif IFACE       received on this interface of the host (--host, or the first snapshot)
  --from-pod NAME   sent by a process in this pod
  --local           sent by a process on the host (--host, or the first snapshot)
  --host NAME       the host for --iif and --local
  --state S         new (default): a connection's first packet; established: a later one
  --mark N          the packet's mark to start with (default 0)
  --no-reply        do not walk the reply
  --assume-new-client
                    take session-affinity lists (xt_recent) as empty for this client, as for its
                    first connection (otherwise such rules are undecided: the lists are not collected)
  --json            print { query, resolved, paths: [...] }
  -h, --help        this help`;

function port(text: string | undefined, flag: string): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new UsageError(`${flag} '${text}' is not a port`);
  return n;
}

export async function traceCommand(argv: string[], stdout: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    src: { type: 'string' },
    sport: { type: 'string' },
    dst: { type: 'string' },
    dport: { type: 'string' },
    proto: { type: 'string' },
    iif: { type: 'string' },
    'from-pod': { type: 'string' },
    local: { type: 'boolean' },
    host: { type: 'string' },
    state: { type: 'string' },
    mark: { type: 'string' },
    'no-reply': { type: 'boolean' },
    'assume-new-client': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    stdout(traceHelp);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('expected at least one SNAPSHOT.json (see --help)');
  if (!values.dst) throw new UsageError('--dst is required');
  if (!values.proto) throw new UsageError('--proto is required');
  const entries = [values.iif !== undefined, values['from-pod'] !== undefined, values.local === true].filter(
    Boolean,
  );
  if (entries.length > 1) throw new UsageError('give one of --iif, --from-pod and --local');
  const host = values.host ?? null;
  const entry: TraceEntry =
    values['from-pod'] !== undefined
      ? { kind: 'pod', pod: values['from-pod'] }
      : values.iif !== undefined
        ? { kind: 'iif', host, iface: values.iif }
        : { kind: 'local', host };
  const mark = values.mark === undefined ? 0 : Number(values.mark);
  const parsed = TraceQuery.safeParse({
    src: values.src ?? null,
    sport: port(values.sport, '--sport'),
    dst: values.dst,
    dport: port(values.dport, '--dport'),
    proto: values.proto,
    entry,
    state: values.state ?? 'new',
    mark,
    reply: !values['no-reply'],
    assumeNewClient: values['assume-new-client'] === true,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--${issue.path.join('.')}: ${issue.message}`);
  }
  const snapshots = [];
  for (const file of positionals) snapshots.push(await readSnapshotFile(file));
  let result;
  try {
    result = simulate(snapshots, parsed.data);
  } catch (e) {
    if (e instanceof TraceError) throw new CliError(e.message);
    throw e;
  }
  stdout(values.json ? JSON.stringify(result, null, 2) : traceText(result));
  return 0;
}
