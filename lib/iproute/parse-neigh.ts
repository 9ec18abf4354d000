import type { Neighbour } from '../model/iproute';
import { entryFamily } from './entry-family';
import type { IpJsonSource } from './ip-json';
import { ipJsonArray, ipJsonCheck } from './ip-json';
import { isSet, RawNeigh } from './raw-shapes';

export interface ParseIpNeighOptions {
  /** Named in every error. */
  file: string;
}

/**
 * Reads `ip -j neigh` / `ip -6 -j neigh` (plain `ip -j neigh` lists both families). Each entry's
 * family comes from its address. Throws only ParseError.
 */
export function parseIpNeigh(text: string, opts: ParseIpNeighOptions): Neighbour[] {
  const src: IpJsonSource = { text, file: opts.file, what: 'the JSON array `ip -j neigh` prints' };
  return ipJsonArray(src).map((value, index) => {
    const raw = ipJsonCheck(src, RawNeigh, value, [index]);
    const family = entryFamily(src, [{ path: [index, 'dst'], text: raw.dst }])!;
    return {
      family,
      dst: raw.dst,
      dev: raw.dev,
      lladdr: raw.lladdr ?? null,
      state: raw.state ?? [],
      router: isSet(raw.router),
      proxy: isSet(raw.proxy),
    };
  });
}
