/**
 * Which elements of a reordered sequence moved: given, for each element kept from the old
 * sequence (in old order), its position in the new one, the longest increasing run of positions
 * stayed in place relative to each other; every other element moved. O(n log n).
 */
export function movedIndexes(newPositions: readonly number[]): Set<number> {
  const n = newPositions.length;
  // tails[k]: index (into newPositions) of the smallest tail of an increasing run of length k + 1.
  const tails: number[] = [];
  const prev = new Array<number>(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const v = newPositions[i]!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newPositions[tails[mid]!]! < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const kept = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) kept.add(i);
  const moved = new Set<number>();
  for (let i = 0; i < n; i++) if (!kept.has(i)) moved.add(i);
  return moved;
}
