import { createHash } from 'node:crypto';
import type { Snapshot } from '../../lib/model/snapshot';
import { otherNamespacesOrigin } from '../commands/other-namespaces';

/**
 * What makes two collections of a host "the same snapshot". Counters, expiry timers, neighbour
 * entries, collection times and the list of the machine's other namespaces change between
 * collections while the host stays put, so they are volatile: left out of the content hash and kept
 * per observation instead. Everything else, in a
 * canonical JSON form (keys sorted, `undefined` dropped as JSON.stringify does), is the content.
 */

type JsonObject = Record<string, unknown>;

/** Where one volatile value sits: the object holding it and its key. */
export interface VolatileSlot {
  parent: JsonObject;
  key: string;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sorted key lists by the keys' own order: objects made by one piece of code share that order, so
 * each shape is sorted once (a third of the canonical copy's time on a kube-proxy node). Records
 * with names for keys (labels, sysctls) make shapes of their own: the cache is bounded.
 */
const sortedByShape = new Map<string, readonly string[]>();
const shapeCacheLimit = 10_000;

function sortedKeys(obj: JsonObject): readonly string[] {
  const keys = Object.keys(obj);
  if (keys.length > 16) return keys.sort();
  const shape = keys.join('\u0000');
  let sorted = sortedByShape.get(shape);
  if (sorted === undefined) {
    if (sortedByShape.size >= shapeCacheLimit) sortedByShape.clear();
    sorted = keys.sort();
    sortedByShape.set(shape, sorted);
  }
  return sorted;
}

/** Keys of `obj` whose values change between collections of an unchanged rule set. */
function volatileKeys(
  obj: JsonObject,
  parentKey: string | null,
  parent: JsonObject | null,
): readonly string[] {
  // HostMeta of the host and of each pod.
  if (parentKey === 'host' && 'collectedAt' in obj) return ['collectedAt'];
  // A snapshot: ARP/NDP entries come and go with traffic.
  if ('schemaVersion' in obj && 'neighbours' in obj) return ['neighbours'];
  // iptables rules and chains (`iptables-save -c`); ipset's `counters` option is a boolean.
  if ('counters' in obj && typeof obj.counters !== 'boolean') return ['counters'];
  switch (obj.kind) {
    case 'counter':
      return ['packets', 'bytes'];
    case 'elem':
      return ['counter', 'expires'];
    case 'quota':
      return ['used', 'usedUnit'];
  }
  // A named nft object, kept as nft printed it.
  if (parentKey === 'raw' && parent) {
    if (parent.type === 'counter') return ['packets', 'bytes'];
    if (parent.type === 'quota') return ['used'];
  }
  // An ipset member: time left and counters.
  if ('nomatch' in obj && 'text' in obj) return ['timeout', 'packets', 'bytes'];
  if (parentKey === 'sysctls') return Object.keys(obj).filter((k) => k.endsWith('nf_conntrack_count'));
  // Which other namespaces the machine around a lab-like host has (other people's come and go).
  if (parentKey === 'diagnostics' && obj.origin === otherNamespacesOrigin) return ['message'];
  return [];
}

/**
 * A copy of `value` whose objects have their keys inserted in sorted order and volatile values
 * nulled, collecting the slots; JSON.stringify of it is the canonical text (building the text by
 * hand costs over twice as much, most of it in the garbage collector). Array items carry their
 * array's key, so `pods[3].host` is still a `host`.
 */
function canonical(
  value: unknown,
  parentKey: string | null,
  parent: JsonObject | null,
  root: unknown,
  slots: VolatileSlot[],
): unknown {
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = canonical(value[i], parentKey, parent, root, slots);
    return out;
  }
  if (!isObject(value)) return value;
  const volatile = volatileKeys(value, parentKey, parent);
  const out: JsonObject = {};
  for (const key of sortedKeys(value)) {
    // JSON.stringify drops undefined values: so does the slot order.
    if (value[key] === undefined) continue;
    if (volatile.includes(key)) {
      slotAdd(value, key, parent === root, slots);
      out[key] = null;
    } else {
      out[key] = canonical(value[key], key, value, root, slots);
    }
  }
  return out;
}

/** The same walk as `canonical`, finding the slots only. */
function slotsFind(
  value: unknown,
  parentKey: string | null,
  parent: JsonObject | null,
  root: unknown,
  slots: VolatileSlot[],
): void {
  if (Array.isArray(value)) {
    for (const item of value) slotsFind(item, parentKey, parent, root, slots);
    return;
  }
  if (!isObject(value)) return;
  const volatile = volatileKeys(value, parentKey, parent);
  for (const key of sortedKeys(value)) {
    if (value[key] === undefined) continue;
    if (volatile.includes(key)) slotAdd(value, key, parent === root, slots);
    else slotsFind(value[key], key, value, root, slots);
  }
}

function slotAdd(obj: JsonObject, key: string, inRootHost: boolean, slots: VolatileSlot[]): void {
  // The root's collection time is the observation's own column, not a slot.
  if (!(key === 'collectedAt' && inRootHost)) slots.push({ parent: obj, key });
}

export interface SnapshotContent {
  /** sha256 (hex) of the canonical JSON with every volatile value written as null. */
  hash: string;
  /** The volatile values in a fixed order: the same order for every snapshot with this hash. */
  volatile: unknown[];
}

export function snapshotContent(snapshot: Snapshot): SnapshotContent {
  const slots: VolatileSlot[] = [];
  // Integer-like keys come first in JS objects whatever their insertion order: still one order.
  const text = JSON.stringify(canonical(snapshot, null, null, snapshot, slots));
  return {
    hash: createHash('sha256').update(text).digest('hex'),
    volatile: slots.map((s) => s.parent[s.key]),
  };
}

/** One volatile value of an observation that differs from the stored body's: `[slot, value]`. */
export type VolatileChange = readonly [number, unknown];

/** The volatile values of an observation that differ from the stored body's (same content hash). */
export function volatileDiff(stored: readonly unknown[], observed: readonly unknown[]): VolatileChange[] {
  if (stored.length !== observed.length) {
    throw new Error(
      `volatile values differ in number (${stored.length} ≠ ${observed.length}) for one content hash`,
    );
  }
  const diff: VolatileChange[] = [];
  for (let i = 0; i < observed.length; i++) {
    const [a, b] = [stored[i], observed[i]];
    if (a !== b && JSON.stringify(a) !== JSON.stringify(b)) diff.push([i, b]);
  }
  return diff;
}

/** Writes an observation's volatile values into a stored body, which it mutates. */
export function volatileApply(body: unknown, diff: readonly VolatileChange[]): void {
  if (diff.length === 0) return;
  const slots: VolatileSlot[] = [];
  slotsFind(body, null, null, body, slots);
  for (const [i, value] of diff) {
    const slot = slots[i];
    if (!slot) throw new Error(`volatile slot ${i} does not exist in the stored snapshot`);
    slot.parent[slot.key] = value;
  }
}
