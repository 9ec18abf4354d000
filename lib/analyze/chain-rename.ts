import { kubeHashedChain } from './chain-references';

/**
 * kube-proxy chains renamed between two snapshots: its chain names end in a hash (KUBE-SEP-<16>,
 * `endpoint-<8>-...`), so the same chain can come back under another name. A chain only the old
 * snapshot has is matched to one only the new snapshot has when their rules say the same with the
 * hashes left out, and no other chain says it.
 */

/** The part of a hashed name that says what kind of chain it is: `KUBE-SEP`, `endpoint`. */
function kindOf(name: string): string {
  return name.replace(/^(KUBE-[A-Z]+)-.*$/, '$1').replace(/^([a-z]+)-[A-Z0-9]{8}-.*$/, '$1');
}

export interface RenameInput {
  name: string;
  /** The chain's rules with hashed chain names replaced by a pattern. */
  signature: string;
}

/** Old name → new name, for chains whose content matches one-to-one. */
export function chainRenames(
  onlyA: readonly RenameInput[],
  onlyB: readonly RenameInput[],
): Map<string, string> {
  const key = (c: RenameInput) => `${kindOf(c.name)}\u0000${c.signature}`;
  const count = (cs: readonly RenameInput[]) => {
    const m = new Map<string, RenameInput[]>();
    for (const c of cs) {
      if (!kubeHashedChain(c.name)) continue;
      const k = key(c);
      const list = m.get(k);
      if (list) list.push(c);
      else m.set(k, [c]);
    }
    return m;
  };
  const a = count(onlyA);
  const b = count(onlyB);
  const out = new Map<string, string>();
  for (const [k, as] of a) {
    const bs = b.get(k);
    if (as.length === 1 && bs?.length === 1) out.set(as[0]!.name, bs[0]!.name);
  }
  return out;
}
