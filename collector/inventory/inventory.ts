import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { quoteForError } from '../../lib/parse/parse-error';
import { inventoryHostsCheck } from './inventory-checks';
import { InventoryError } from './inventory-error';
import { inventoryIssuesFromZod } from './inventory-issues';
import { pathExpand } from './path-expand';

/**
 * The inventory file (`packetlens.yaml`). Its shape is a contract with users: keys may be added,
 * none renamed. Unknown keys are refused so that a typo (`adress`) is not silently ignored.
 */

// Host names become file names (`NAME.snapshot.json`) and store keys: no slashes, no leading dot or dash.
const HostName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  error: (iss) =>
    `${quoteForError(String(iss.input))} is not safe as a file name (use up to 64 letters, digits, '.', '_' and '-', starting with a letter or digit)`,
});

const Address = z.string().refine(addressValid, {
  error: (iss) => `${quoteForError(String(iss.input))} is not an IP address or a host name`,
});

const Port = z
  .number()
  .int({ error: 'must be a port number from 1 to 65535' })
  .min(1, { error: 'must be a port number from 1 to 65535' })
  .max(65535, { error: 'must be a port number from 1 to 65535' });

// Users travel inside the SSH protocol, never through a shell; the pattern still keeps out options and spaces.
const User = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$/, {
  error: (iss) => `${quoteForError(String(iss.input))} is not a user name`,
});

const FilePath = z
  .string()
  .min(1, { error: 'must be a file path' })
  .refine((p) => !p.startsWith('~') || p === '~' || p.startsWith('~/'), {
    error: "only '~' and '~/' are expanded, not '~user'",
  });

const Milliseconds = z
  .number()
  .int({ error: 'must be a whole number of milliseconds above 0' })
  .positive({ error: 'must be a whole number of milliseconds above 0' });

// YAML reads `tier: 1` as a number; a label is text either way.
const LabelValue = z
  .union([z.string(), z.number(), z.boolean()], { error: 'expected a string' })
  .transform(String);

export const InventoryDefaults = z.strictObject({
  /** SSH user; the current user when absent, as ssh does. */
  user: User.optional(),
  port: Port.default(22),
  /** Private key file; absent means ssh-agent through SSH_AUTH_SOCK. */
  identityFile: FilePath.optional(),
  /** The user's known_hosts, read only; packetlens records accepted keys in its own file. */
  knownHosts: FilePath.default('~/.ssh/known_hosts'),
  /** Time allowed for TCP connect, SSH handshake and authentication together. */
  connectTimeoutMs: Milliseconds.default(5000),
  commandTimeoutMs: Milliseconds.default(30000),
  /** Run the collection commands with `sudo -n`. */
  sudo: z.boolean().default(false),
});
export type InventoryDefaults = z.output<typeof InventoryDefaults>;

export const InventoryHost = z.strictObject({
  name: HostName,
  /** IP address or DNS name; absent only for a local host. */
  address: Address.optional(),
  port: Port.optional(),
  user: User.optional(),
  identityFile: FilePath.optional(),
  /** Name of another inventory host to reach this one through (ProxyJump). */
  jump: z.string().optional(),
  labels: z.record(z.string(), LabelValue).optional(),
  /** This machine, collected without SSH. */
  local: z.boolean().optional(),
});
export type InventoryHost = z.output<typeof InventoryHost>;

export const Inventory = z
  .strictObject({
    defaults: InventoryDefaults.prefault({}),
    hosts: z.array(InventoryHost).min(1, { error: 'list at least one host' }),
    collectEveryMinutes: z.number().positive({ error: 'must be a number of minutes above 0' }).default(5),
  })
  .superRefine((inventory, ctx) => {
    for (const issue of inventoryHostsCheck(inventory.hosts))
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
export type Inventory = z.output<typeof Inventory>;

function addressValid(address: string): boolean {
  if (ipaddr.IPv4.isValidFourPartDecimal(address) || ipaddr.IPv6.isValid(address)) return true;
  const label = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
  const name = address.endsWith('.') ? address.slice(0, -1) : address;
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => label.test(l));
}

function knownKeysAt(at: readonly PropertyKey[]): readonly string[] {
  const shape =
    at.length === 0 ? Inventory.shape : at[0] === 'defaults' ? InventoryDefaults.shape : InventoryHost.shape;
  return Object.keys(shape);
}

/** Parses inventory YAML; `file` names it in errors and anchors its relative paths. */
export function inventoryParse(text: string, file: string): Inventory {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0)
    throw new InventoryError(
      doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { file, line, column: col, where: '', reason: e.message };
      }),
    );
  const input: unknown = doc.toJS();
  const parsed = Inventory.safeParse(input, { reportInput: true });
  if (!parsed.success)
    throw new InventoryError(
      inventoryIssuesFromZod(parsed.error.issues, input, { file, doc, lines }, knownKeysAt),
    );
  return pathsExpand(parsed.data, path.dirname(file));
}

export async function inventoryLoad(file: string): Promise<Inventory> {
  return inventoryParse(await readFile(file, 'utf8'), file);
}

function pathsExpand(inventory: Inventory, baseDir: string): Inventory {
  const expand = (p: string | undefined) => (p === undefined ? undefined : pathExpand(p, baseDir));
  return {
    ...inventory,
    defaults: {
      ...inventory.defaults,
      identityFile: expand(inventory.defaults.identityFile),
      knownHosts: pathExpand(inventory.defaults.knownHosts, baseDir),
    },
    hosts: inventory.hosts.map((h) =>
      h.identityFile === undefined ? h : { ...h, identityFile: expand(h.identityFile) },
    ),
  };
}

/** Settings every host has, local or not. */
interface ResolvedHostBase {
  name: string;
  labels: Record<string, string>;
  commandTimeoutMs: number;
  sudo: boolean;
}

export interface ResolvedLocalHost extends ResolvedHostBase {
  local: true;
}

/** A host reached over SSH, with the defaults merged in and its jump hosts resolved the same way. */
export interface ResolvedSshHost extends ResolvedHostBase {
  local: false;
  address: string;
  port: number;
  user: string;
  /** Absent: authenticate through ssh-agent. */
  identityFile: string | null;
  knownHosts: string;
  connectTimeoutMs: number;
  /** The host to connect through, itself possibly behind another. */
  jump: ResolvedSshHost | null;
}

export type ResolvedHost = ResolvedLocalHost | ResolvedSshHost;

/** A host name that is not in the inventory, or (for inventories built in code) one that cannot be reached. */
export class HostResolveError extends Error {
  override readonly name = 'HostResolveError';
}

/** The effective settings of one host: its own fields over the defaults, its jump chain resolved. */
export function hostResolve(inventory: Inventory, name: string): ResolvedHost {
  return hostResolveVia(inventory, name, []);
}

function hostResolveVia(inventory: Inventory, name: string, seen: readonly string[]): ResolvedHost {
  const host = inventory.hosts.find((h) => h.name === name);
  if (!host)
    throw new HostResolveError(
      `no host named '${name}' in this inventory (hosts: ${inventory.hosts.map((h) => h.name).join(', ')})`,
    );
  const d = inventory.defaults;
  const base = {
    name: host.name,
    labels: host.labels ?? {},
    commandTimeoutMs: d.commandTimeoutMs,
    sudo: d.sudo,
  };
  if (host.local) return { ...base, local: true };
  // The schema refuses loops and local jump hosts; this guards inventories built in code.
  if (seen.includes(name)) throw new HostResolveError(`jump cycle: ${[...seen, name].join(' -> ')}`);
  const jump = host.jump === undefined ? null : hostResolveVia(inventory, host.jump, [...seen, name]);
  if (jump?.local) throw new HostResolveError(`'${host.jump}' is a local host; it cannot be a jump host`);
  if (host.address === undefined) throw new HostResolveError(`host '${name}' has no address`);
  return {
    ...base,
    local: false,
    address: host.address,
    port: host.port ?? d.port,
    user: host.user ?? d.user ?? os.userInfo().username,
    identityFile: host.identityFile ?? d.identityFile ?? null,
    knownHosts: d.knownHosts,
    connectTimeoutMs: d.connectTimeoutMs,
    jump,
  };
}
