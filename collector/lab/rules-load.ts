import { netnsOk } from './lab-exec';

/**
 * Loads rule text into a node namespace with the tools the real programs use. iptables payloads go
 * in with --noflush, so the chains the CNI plugins made stay as they are.
 */

export type IptablesBackend = 'nft' | 'legacy';

export async function iptablesRestore(
  ns: string,
  backend: IptablesBackend,
  payload: string,
  xtablesLock: string,
): Promise<void> {
  // iptables-legacy takes a lock file, /run/xtables.lock by default: the lab keeps its own.
  await netnsOk(
    ns,
    'env',
    [`XTABLES_LOCKFILE=${xtablesLock}`, `iptables-${backend}-restore`, '--noflush'],
    payload,
  );
}

/**
 * Loads an nft script in one transaction. It first adds and deletes the table, the way kube-proxy
 * clears its table at start-up, so a reload never stacks rules on old ones.
 */
export async function nftLoad(ns: string, family: string, table: string, script: string): Promise<void> {
  const reset = `add table ${family} ${table}\ndelete table ${family} ${table}\n`;
  await netnsOk(ns, 'nft', ['-f', '-'], reset + script);
}
