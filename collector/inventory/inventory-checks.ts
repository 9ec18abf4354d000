/** What the checks across hosts need of a host; the schema has already checked each field alone. */
export interface HostForCheck {
  name: string;
  address?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  jump?: string;
  local?: boolean;
}

export interface CheckIssue {
  path: (string | number)[];
  message: string;
}

const sshOnlyFields = ['address', 'port', 'user', 'identityFile', 'jump'] as const;

/**
 * The rules that involve more than one field or more than one host: unique names, local hosts
 * without SSH settings, SSH hosts with an address, and jumps that lead to an SSH host without a loop.
 */
export function inventoryHostsCheck(hosts: readonly HostForCheck[]): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const indexByName = new Map<string, number>();
  hosts.forEach((host, i) => {
    const first = indexByName.get(host.name);
    if (first === undefined) indexByName.set(host.name, i);
    else
      issues.push({
        path: ['hosts', i, 'name'],
        message: `'${host.name}' is already the name of hosts[${first}]`,
      });
  });

  hosts.forEach((host, i) => {
    if (host.local) {
      for (const field of sshOnlyFields) {
        if (host[field] !== undefined)
          issues.push({
            path: ['hosts', i, field],
            message: 'a local host is this machine, reached without SSH: remove this field or local: true',
          });
      }
      return;
    }
    if (host.address === undefined)
      issues.push({
        path: ['hosts', i, 'address'],
        message: 'required for a host reached over SSH (or set local: true for this machine)',
      });
    if (host.jump === undefined) return;
    const target = indexByName.get(host.jump);
    if (target === undefined)
      issues.push({ path: ['hosts', i, 'jump'], message: `no host named '${host.jump}' in this inventory` });
    else if (hosts[target]?.local)
      issues.push({
        path: ['hosts', i, 'jump'],
        message: `'${host.jump}' is a local host; a jump host must be reached over SSH`,
      });
  });

  for (const cycle of jumpCycles(hosts, indexByName)) {
    const names = [...cycle, cycle[0]!].map((i) => hosts[i]!.name);
    issues.push({ path: ['hosts', cycle[0]!, 'jump'], message: `jumps form a loop: ${names.join(' -> ')}` });
  }
  return issues;
}

/** Each loop of jumps once, as host indexes starting at its lowest index. */
function jumpCycles(hosts: readonly HostForCheck[], indexByName: Map<string, number>): number[][] {
  const cycles: number[][] = [];
  const done = new Set<number>();
  hosts.forEach((_, start) => {
    const walk: number[] = [];
    let at: number | undefined = start;
    while (at !== undefined && !done.has(at) && !walk.includes(at)) {
      walk.push(at);
      const jump: string | undefined = hosts[at]!.local ? undefined : hosts[at]!.jump;
      at = jump === undefined ? undefined : indexByName.get(jump);
    }
    if (at !== undefined && walk.includes(at)) {
      const loop = walk.slice(walk.indexOf(at));
      const lowest = loop.indexOf(Math.min(...loop));
      cycles.push([...loop.slice(lowest), ...loop.slice(0, lowest)]);
    }
    walk.forEach((i) => done.add(i));
  });
  return cycles;
}
