import type { IpFamily } from '../model/common';
import type { IptablesDump } from '../model/iptables';
import type { Diagnostic, HostMeta, Snapshot } from '../model/snapshot';
import {
  detectIpJsonKind,
  parseIpAddr,
  parseIpLink,
  parseIpNeigh,
  parseIpRoute,
  parseIpRule,
} from '../iproute/parse-json';
import { jsonTextParse } from '../parse/json-text';
import { parseIpsetSave } from '../ipset/parse-save';
import { parseIptablesSave } from '../iptables/parse-save';
import { parseNftJson } from '../nftables/parse-json';
import { ParseError } from '../parse/parse-error';
import { detectFormat } from './detect-format';
import { linkIptablesNft } from './iptables-nft-link';

/** One raw command output: its name (file path or command) and text. */
export interface RawInput {
  origin: string;
  text: string;
  /** For outputs whose family the content cannot tell (`ip -6 -j rule` looks like `ip -j rule`). */
  family?: IpFamily;
  /** What the command wrote on stderr: iptables-nft-save warns there when legacy tables hold rules. */
  stderr?: string;
}

export interface BuildOptions {
  host: string;
  kind?: HostMeta['kind'];
  collectedAt?: string;
  labels?: Record<string, string>;
  example?: boolean;
}

export function emptySnapshot(opts: BuildOptions): Snapshot {
  return {
    schemaVersion: 1,
    host: {
      name: opts.host,
      kind: opts.kind ?? 'import',
      hostname: null,
      kernel: null,
      collectedAt: opts.collectedAt ?? new Date(0).toISOString(),
      iptablesBackend: 'unknown',
      backendsWithRules: [],
      labels: opts.labels ?? {},
      example: opts.example ?? false,
      netns: null,
    },
    netfilter: { iptables: [], nftables: null },
    interfaces: [],
    addresses: [],
    routes: [],
    policyRules: [],
    neighbours: [],
    ipsets: [],
    sysctls: {},
    routingFamilies: [],
    sources: [],
    diagnostics: [],
    pods: [],
  };
}

/**
 * Builds one snapshot from raw outputs, each recognised by its content. Throws ParseError naming
 * the input that is malformed, or that clashes with another (two dumps of the same table set).
 */
export function buildSnapshot(inputs: readonly RawInput[], opts: BuildOptions): Snapshot {
  const snap = emptySnapshot(opts);
  for (const input of inputs) addInput(snap, input);
  finishSnapshot(snap);
  return snap;
}

export function addInput(snap: Snapshot, input: RawInput): void {
  const { origin: file, text } = input;
  const format = detectFormat(text, file);
  switch (format) {
    case 'iptables-save': {
      const dump = parseIptablesSave(text, { file, family: input.family, stderr: input.stderr });
      const clash = snap.netfilter.iptables.find(
        (d) => d.family === dump.family && d.backend === dump.backend,
      );
      if (clash) {
        const other = snap.sources.find(
          (s) => s.format === `iptables-save/${dump.family}/${dump.backend}`,
        )?.origin;
        throw new ParseError(
          file,
          1,
          1,
          `a second ${dump.family === 'ip6' ? 'ip6tables' : 'iptables'}-save dump (${dump.backend} backend) for this host: ${other ?? 'another input'} already gave one`,
        );
      }
      snap.netfilter.iptables.push(dump);
      snap.sources.push({ origin: file, format: `iptables-save/${dump.family}/${dump.backend}` });
      return;
    }
    case 'nft-json': {
      if (snap.netfilter.nftables) throw new ParseError(file, 1, 1, 'a second nft -j ruleset for this host');
      snap.netfilter.nftables = parseNftJson(text, { file });
      snap.sources.push({ origin: file, format });
      return;
    }
    case 'ipset-save': {
      snap.ipsets.push(...parseIpsetSave(text, { file }));
      snap.sources.push({ origin: file, format });
      return;
    }
    case 'ip-json':
      return addIpJson(snap, input);
  }
}

function addIpJson(snap: Snapshot, { origin: file, text, family }: RawInput): void {
  const value = jsonTextParse(text, file, 'ip -j output');
  const kind = detectIpJsonKind(value);
  if (kind === null && !(Array.isArray(value) && value.length === 0)) {
    throw new ParseError(
      file,
      1,
      1,
      'unrecognised JSON: expected the output of ip -j link, addr, route, rule or neigh, or nft -j list ruleset',
    );
  }
  switch (kind) {
    case 'link':
      snap.interfaces.push(...parseIpLink(text, { file }));
      break;
    case 'addr':
      snap.addresses.push(...parseIpAddr(text, { file }));
      break;
    case 'route': {
      const routes = parseIpRoute(text, { file, family });
      snap.routes.push(...routes);
      for (const r of routes)
        if (!snap.routingFamilies.includes(r.family)) snap.routingFamilies.push(r.family);
      break;
    }
    case 'rule':
      snap.policyRules.push(...parseIpRule(text, { file, family }));
      break;
    case 'neigh':
      snap.neighbours.push(...parseIpNeigh(text, { file }));
      break;
    case null:
      // `[]`: an ip command with nothing to list; which one cannot be told, and nothing is lost.
      break;
  }
  snap.sources.push({ origin: file, format: kind ? `ip-${kind}` : 'ip-json-empty' });
}

/** Derives what depends on all inputs together: backends, and the iptables-nft ↔ nft identity. */
export function finishSnapshot(snap: Snapshot): void {
  const dumps = snap.netfilter.iptables;
  const withRules = new Set<'nft' | 'legacy'>();
  for (const d of dumps) {
    if (hasRules(d) && d.backend !== 'unknown') withRules.add(d.backend);
    if (d.otherBackendHasRules) withRules.add(d.backend === 'legacy' ? 'nft' : 'legacy');
  }
  snap.host.backendsWithRules = [...withRules].sort();
  const backends = new Set(dumps.map((d) => d.backend));
  snap.host.iptablesBackend = backends.has('nft')
    ? 'nft'
    : backends.has('legacy')
      ? 'legacy'
      : snap.host.iptablesBackend;
  if (snap.host.backendsWithRules.length > 1) {
    snap.diagnostics.push(
      diagnostic(
        'warning',
        'rules are loaded in both the legacy and the nft iptables backends: the kernel runs both, each tool shows only one',
        null,
      ),
    );
  }
  snap.diagnostics.push(...linkIptablesNft(snap.netfilter));
}

function hasRules(d: IptablesDump): boolean {
  return d.tables.some((t) => t.chains.some((c) => c.rules.length > 0));
}

export function diagnostic(
  severity: Diagnostic['severity'],
  message: string,
  origin: string | null,
  line: number | null = null,
): Diagnostic {
  return { severity, message, origin, line };
}
