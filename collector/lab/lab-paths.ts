import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every file the lab writes, all under one directory so that `down` can remove them together. */
export interface LabPaths {
  dir: string;
  /** Held while a command runs; beside the directory so that `down` can remove the directory. */
  lock: string;
  /** Progress of `up`, written before each step, read by `down` after a crash. */
  state: string;
  /** The description of a finished lab (nodes, pods, services). */
  description: string;
  inventory: string;
  identityFile: string;
  knownHosts: string;
  /** OpenSSH client config with one Host per node, for `ssh -F`. */
  sshConfig: string;
  authorizedKeys: string;
  /** iptables-legacy's lock, kept off the host's /run/xtables.lock. */
  xtablesLock: string;
  nodeDir: (node: string) => string;
  sshdConfig: (node: string) => string;
  sshdPid: (node: string) => string;
  sshdLog: (node: string) => string;
  hostKey: (node: string) => string;
  cniDir: (node: string) => string;
  /** The node's libcni cache directory: its sshd sees it as /var/lib/cni (cni-cache.ts). */
  cniCacheDir: (node: string) => string;
  /** host-local's leases, where a node keeps them: /var/lib/cni/networks in the node's view. */
  ipamDir: (node: string) => string;
}

/**
 * The repository's data/lab, found from this file so any working directory works. Symbolic links
 * are resolved: working copies may share one lab through a linked data/, and the lab recognises
 * its sshd processes by the paths on their command lines.
 */
export function labDirDefault(): string {
  const data = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'data');
  return path.join(existsSync(data) ? realpathSync(data) : data, 'lab');
}

export function labPaths(dir: string = labDirDefault()): LabPaths {
  const nodeDir = (node: string) => path.join(dir, 'nodes', node);
  return {
    dir,
    lock: `${dir}.lock`,
    state: path.join(dir, 'state.json'),
    description: path.join(dir, 'lab.json'),
    inventory: path.join(dir, 'packetlens.yaml'),
    identityFile: path.join(dir, 'id_ed25519'),
    knownHosts: path.join(dir, 'known_hosts'),
    sshConfig: path.join(dir, 'ssh_config'),
    authorizedKeys: path.join(dir, 'authorized_keys'),
    xtablesLock: path.join(dir, 'xtables.lock'),
    nodeDir,
    sshdConfig: (node) => path.join(nodeDir(node), 'sshd_config'),
    sshdPid: (node) => path.join(nodeDir(node), 'sshd.pid'),
    sshdLog: (node) => path.join(nodeDir(node), 'sshd.log'),
    hostKey: (node) => path.join(nodeDir(node), 'ssh_host_ed25519_key'),
    cniDir: (node) => path.join(nodeDir(node), 'cni'),
    cniCacheDir: (node) => path.join(nodeDir(node), 'var-lib-cni'),
    ipamDir: (node) => path.join(nodeDir(node), 'var-lib-cni', 'networks'),
  };
}
