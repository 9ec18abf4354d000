import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CniConflist, CniRuntimeArgs } from './cni-config';

/**
 * What `up` has begun, written before each step: after a crash half way, `down` reads it to run
 * CNI DEL for every pod whose ADD started. Namespaces and links are also found by their prefix,
 * so a lost state file still leaves nothing behind.
 */

const PodAttachment = z.object({
  node: z.string(),
  nodeNamespace: z.string(),
  podNamespace: z.string(),
  containerId: z.string(),
  ifname: z.string(),
  cniArgs: z.string(),
  /** The conflist ADD used; DEL gets the same. */
  conflist: CniConflist,
  runtimeArgs: CniRuntimeArgs,
  /** The final ADD result (libcni's cache); null while ADD runs or when it failed. */
  result: z.unknown().nullable(),
});
export type PodAttachment = z.infer<typeof PodAttachment>;

export const LabState = z.object({
  version: z.literal(1),
  /** True once every step of `up` finished. */
  complete: z.boolean(),
  /** /run/sshd (sshd's privilege separation directory) was made by the lab, so `down` removes it. */
  madePrivsepDir: z.boolean(),
  /** /var/lib/cni (where the nodes' CNI caches are mounted) was made by the lab. */
  madeCniCacheMountPoint: z.boolean().default(false),
  /** Pods in the order ADD began. */
  pods: z.array(PodAttachment),
});
export type LabState = z.infer<typeof LabState>;

export function labStateEmpty(): LabState {
  return { version: 1, complete: false, madePrivsepDir: false, madeCniCacheMountPoint: false, pods: [] };
}

/** The state file, or null when there is none or it cannot be read (down then works by prefix). */
export function labStateRead(file: string): LabState | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = LabState.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Written to a temporary file and renamed, so a crash never leaves half a state file. */
export function labStateWrite(file: string, state: LabState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}
