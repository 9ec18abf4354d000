import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CniConflist, CniRuntimeArgs } from './cni-config';

/**
 * libcni's result cache, kept as containerd and CRI-O keep it: after a network list's ADD, the
 * runtime writes `<cacheDir>/results/<network>-<containerId>-<ifName>` (kind `cniCacheV1`: the
 * config, the netns, CNI_ARGS as pairs, the capability arguments and the result), and removes it
 * after a DEL that succeeded. The lab gives each node a cache directory of its own, which that
 * node's sshd sees at libcni's default place (`/var/lib/cni`), where the collector reads it.
 */

/** libcni's default CacheDir, as a node sees it. */
export const cniCacheMountPoint = '/var/lib/cni';

export interface CniCacheEntry {
  cacheDir: string;
  list: CniConflist;
  containerId: string;
  ifName: string;
  /** CNI_NETNS as the plugins got it. */
  netns: string;
  /** CNI_ARGS as the plugins got it (`K=V;K=V`). */
  cniArgs: string;
  capabilityArgs: CniRuntimeArgs;
  result: unknown;
}

export function cniCacheFile(cacheDir: string, network: string, containerId: string, ifName: string): string {
  return path.join(cacheDir, 'results', `${network}-${containerId}-${ifName}`);
}

/** `IgnoreUnknown=1;K8S_POD_NAME=web-0` → libcni's RuntimeConf.Args pairs. */
export function cniArgsPairs(cniArgs: string): [string, string][] {
  return cniArgs
    .split(';')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    });
}

/** The cache file's JSON, field for field as libcni writes it. */
export function cniCacheJson(entry: CniCacheEntry): string {
  return JSON.stringify({
    kind: 'cniCacheV1',
    containerId: entry.containerId,
    // Go encodes []byte as base64: the network list's config bytes.
    config: Buffer.from(JSON.stringify(entry.list)).toString('base64'),
    ifName: entry.ifName,
    networkName: entry.list.name,
    netns: entry.netns,
    cniArgs: cniArgsPairs(entry.cniArgs),
    capabilityArgs: entry.capabilityArgs,
    result: entry.result,
  });
}

export function cniCacheWrite(entry: CniCacheEntry): void {
  const file = cniCacheFile(entry.cacheDir, entry.list.name, entry.containerId, entry.ifName);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, cniCacheJson(entry), { mode: 0o600 });
}

export function cniCacheRemove(cacheDir: string, network: string, containerId: string, ifName: string): void {
  rmSync(cniCacheFile(cacheDir, network, containerId, ifName), { force: true });
}
