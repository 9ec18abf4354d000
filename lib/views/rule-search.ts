import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { NftFamily, NftSet } from '../model/nftables';
import { nftDatatypeValueType, renderNftExpr } from '../nftables/render-text';
import { RuleRow, ruleRow, rulePageSizeDefault, rulePageSizeMax } from './rule-page';
import type { IndexedChain, IndexedRule, IndexedTable, RulesetIndex } from './ruleset-index';
import type { PortRange, V4Range } from './search-tokens';
import { elementPortRanges, portRanges, v4Number, v4Ranges, v6Cidrs } from './search-tokens';

/**
 * Server-side rule search over every rule of a snapshot (and the elements of its nft sets and maps):
 * by address (an address, CIDR or range matches every rule naming an overlapping one), by port
 * (matched or translated to), by chain, by comment, or by text. Terms separated by spaces must all
 * match. The index is built once per snapshot so a search of 170,000 rules stays a scan of flat arrays.
 */

export const SearchRequest = z.object({
  q: z.string().trim().min(1, 'type something to search for').max(300),
  /** Limit to one table (its key); all tables when absent. */
  table: z.string().max(300).optional(),
  page: z.coerce.number().int().positive().default(1),
  pageSize: z.coerce.number().int().positive().max(rulePageSizeMax).default(rulePageSizeDefault),
});
export type SearchRequest = z.infer<typeof SearchRequest>;

export const SetElementHit = z.object({ table: z.string(), set: z.string(), text: z.string() });

export const SearchResult = z.object({
  q: z.string(),
  /** How each term was read, e.g. `address 10.96.0.10`, so the user sees what was searched. */
  terms: z.array(z.string()),
  /** Why the query could not be read; nothing is searched then. */
  error: z.string().nullable(),
  total: z.number().int().nonnegative(),
  page: z.number().int().positive(),
  pageSize: z.number().int().positive(),
  rules: z.array(RuleRow),
  elementsTotal: z.number().int().nonnegative(),
  /** The first matching set and map elements. */
  elements: z.array(SetElementHit),
});
export type SearchResult = z.infer<typeof SearchResult>;

export type SearchTerm =
  | { kind: 'address'; text: string; v4: V4Range | null; v6: [ipaddr.IPv6, number] | null }
  | { kind: 'port'; text: string; range: PortRange }
  | { kind: 'chain' | 'comment' | 'text'; text: string };

const elementsShown = 50;

/** Splits on spaces, keeping `"quoted phrases"` together. */
function queryWords(q: string): string[] {
  return [...q.matchAll(/(\w+:)?"([^"]*)"|\S+/g)].map((m) =>
    m[2] !== undefined ? (m[1] ?? '') + m[2] : m[0],
  );
}

function addressTerm(text: string): SearchTerm | null {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined || addr === undefined) return null;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return null;
  const v4 = v4Number(addr);
  if (v4 !== null) {
    const bits = len === undefined ? 32 : Number(len);
    if (bits > 32) return null;
    const size = 2 ** (32 - bits);
    const start = Math.floor(v4 / size) * size;
    return { kind: 'address', text, v4: [start, start + size - 1], v6: null };
  }
  if (addr.includes(':') && ipaddr.IPv6.isValid(addr)) {
    const bits = len === undefined ? 128 : Number(len);
    if (bits > 128) return null;
    return { kind: 'address', text, v4: null, v6: [ipaddr.IPv6.parse(addr), bits] };
  }
  return null;
}

function portTerm(text: string): SearchTerm | null {
  const m = /^(\d{1,5})(?:[-:](\d{1,5}))?$/.exec(text);
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi && hi <= 65535 ? { kind: 'port', text, range: [lo, hi] } : null;
}

/** Reads a query into terms, or says which word cannot be read. */
export function searchQueryParse(q: string): { terms: SearchTerm[] } | { error: string } {
  const terms: SearchTerm[] = [];
  for (const word of queryWords(q)) {
    const m = /^(addr|address|ip|port|chain|comment|text):(.*)$/i.exec(word);
    if (m) {
      const field = m[1]!.toLowerCase();
      const value = m[2]!;
      if (value === '') return { error: `${field}: needs a value, e.g. ${field}:${exampleOf(field)}` };
      if (field === 'port') {
        const t = portTerm(value);
        if (!t) return { error: `port:${value}: expected a port 0-65535 or a range such as 30000-32767` };
        terms.push(t);
      } else if (field === 'addr' || field === 'address' || field === 'ip') {
        const t = addressTerm(value);
        if (!t) return { error: `${field}:${value}: expected an IPv4 or IPv6 address or CIDR` };
        terms.push(t);
      } else {
        terms.push({ kind: field as 'chain' | 'comment' | 'text', text: value.toLowerCase() });
      }
      continue;
    }
    terms.push(addressTerm(word) ?? portTerm(word) ?? { kind: 'text', text: word.toLowerCase() });
  }
  if (terms.length === 0) return { error: 'type something to search for' };
  return { terms };
}

function exampleOf(field: string): string {
  return field === 'port'
    ? '30080'
    : field === 'chain'
      ? 'KUBE-SVC'
      : field === 'comment'
        ? 'default/web'
        : '10.96.0.10';
}

export function searchTermText(t: SearchTerm): string {
  switch (t.kind) {
    case 'address':
      return `address ${t.text}`;
    case 'port':
      return `port ${t.text}`;
    case 'chain':
      return `chain name containing "${t.text}"`;
    case 'comment':
      return `comment containing "${t.text}"`;
    case 'text':
      return `text "${t.text}"`;
  }
}

// ---------------------------------------------------------------------------------------------
// The index

interface Doc {
  table: IndexedTable;
  chain: IndexedChain | null;
  rule: IndexedRule | null;
  set: NftSet | null;
  /** Set element text; null for a rule. */
  element: string | null;
}

export interface SearchIndex {
  docs: Doc[];
  /** Lower-cased `chain text` per doc, one per line, scanned with indexOf. */
  haystack: string;
  starts: Uint32Array;
  comments: (string | null)[];
  /** Docs of each chain: [first, count]. */
  chainDocs: Map<IndexedChain, readonly [number, number]>;
  /** Docs of each table: [first, end). */
  tableDocs: Map<string, readonly [number, number]>;
  v4Doc: Uint32Array;
  v4Lo: Float64Array;
  v4Hi: Float64Array;
  v6: { doc: number; addr: ipaddr.IPv6; len: number }[];
  portDoc: Uint32Array;
  portLo: Uint16Array;
  portHi: Uint16Array;
}

export function searchIndex(index: RulesetIndex): SearchIndex {
  const docs: Doc[] = [];
  const lines: string[] = [];
  const comments: (string | null)[] = [];
  const chainDocs = new Map<IndexedChain, readonly [number, number]>();
  const tableDocs = new Map<string, readonly [number, number]>();
  const v4: number[] = [];
  const v6: SearchIndex['v6'] = [];
  const ports: number[] = [];
  const tokens = (doc: number, text: string, portList: readonly PortRange[]) => {
    for (const [lo, hi] of v4Ranges(text)) v4.push(doc, lo, hi);
    for (const [addr, len] of v6Cidrs(text)) v6.push({ doc, addr, len });
    for (const [lo, hi] of portList) ports.push(doc, lo, hi);
  };

  for (const table of index.tables) {
    const tableStart = docs.length;
    for (const chain of table.chains) {
      chainDocs.set(chain, [docs.length, chain.rules.length]);
      for (const rule of chain.rules) {
        const doc = docs.length;
        docs.push({ table, chain, rule, set: null, element: null });
        lines.push(`${chain.name} ${rule.text}`.toLowerCase());
        comments.push(rule.comment?.toLowerCase() ?? null);
        tokens(doc, rule.text, portRanges(rule.text));
      }
    }
    const ctx = { family: table.family as NftFamily, sets: new Map(table.sets.map((s) => [s.name, s])) };
    for (const set of table.sets) {
      const keyType = nftDatatypeValueType(set.type);
      for (const element of set.elements) {
        const doc = docs.length;
        const text = renderNftExpr(element, ctx, keyType);
        docs.push({ table, chain: null, rule: null, set, element: text });
        lines.push(`@${set.name} ${text}`.toLowerCase());
        comments.push(
          element.kind === 'elem' && element.comment !== null ? element.comment.toLowerCase() : null,
        );
        tokens(doc, text, elementPortRanges(text, set.type));
      }
    }
    tableDocs.set(table.key, [tableStart, docs.length]);
  }

  const starts = new Uint32Array(lines.length + 1);
  let offset = 0;
  lines.forEach((line, i) => {
    starts[i] = offset;
    offset += line.length + 1;
  });
  starts[lines.length] = offset;

  const triples = (flat: number[]) => {
    const n = flat.length / 3;
    const doc = new Uint32Array(n);
    const lo: number[] = new Array<number>(n);
    const hi: number[] = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      doc[i] = flat[3 * i]!;
      lo[i] = flat[3 * i + 1]!;
      hi[i] = flat[3 * i + 2]!;
    }
    return { doc, lo, hi };
  };
  const a = triples(v4);
  const p = triples(ports);
  return {
    docs,
    haystack: lines.join('\n') + '\n',
    starts,
    comments,
    chainDocs,
    tableDocs,
    v4Doc: a.doc,
    v4Lo: Float64Array.from(a.lo),
    v4Hi: Float64Array.from(a.hi),
    v6,
    portDoc: p.doc,
    portLo: Uint16Array.from(p.lo),
    portHi: Uint16Array.from(p.hi),
  };
}

function docAt(starts: Uint32Array, pos: number): number {
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function v6Overlap(a: ipaddr.IPv6, alen: number, b: ipaddr.IPv6, blen: number): boolean {
  const len = Math.min(alen, blen);
  return a.match(b, len);
}

/** Marks the docs a term matches. */
function termMark(ix: SearchIndex, term: SearchTerm, hit: Uint8Array): void {
  switch (term.kind) {
    case 'text': {
      const { haystack, starts } = ix;
      for (let pos = haystack.indexOf(term.text); pos >= 0;) {
        const doc = docAt(starts, pos);
        // A line holds no newline, so a match never spans two docs.
        hit[doc] = 1;
        pos = haystack.indexOf(term.text, starts[doc + 1]!);
      }
      return;
    }
    case 'comment':
      ix.comments.forEach((c, i) => {
        if (c !== null && c.includes(term.text)) hit[i] = 1;
      });
      return;
    case 'chain':
      for (const [chain, [first, count]] of ix.chainDocs) {
        if (chain.name.toLowerCase().includes(term.text)) hit.fill(1, first, first + count);
      }
      return;
    case 'port': {
      const [lo, hi] = term.range;
      for (let i = 0; i < ix.portDoc.length; i++) {
        if (ix.portLo[i]! <= hi && ix.portHi[i]! >= lo) hit[ix.portDoc[i]!] = 1;
      }
      return;
    }
    case 'address': {
      if (term.v4) {
        const [lo, hi] = term.v4;
        for (let i = 0; i < ix.v4Doc.length; i++) {
          if (ix.v4Lo[i]! <= hi && ix.v4Hi[i]! >= lo) hit[ix.v4Doc[i]!] = 1;
        }
      }
      if (term.v6) {
        const [addr, len] = term.v6;
        for (const t of ix.v6) if (v6Overlap(addr, len, t.addr, t.len)) hit[t.doc] = 1;
      }
      return;
    }
  }
}

export function ruleSearch(index: RulesetIndex, ix: SearchIndex, req: SearchRequest): SearchResult {
  const empty = {
    q: req.q,
    page: req.page,
    pageSize: req.pageSize,
    total: 0,
    rules: [],
    elementsTotal: 0,
    elements: [],
  };
  const parsed = searchQueryParse(req.q);
  if ('error' in parsed) return { ...empty, terms: [], error: parsed.error };
  const terms = parsed.terms.map(searchTermText);
  let scope: readonly [number, number] = [0, ix.docs.length];
  if (req.table !== undefined) {
    const range = ix.tableDocs.get(req.table);
    if (!range || !index.tableByKey.has(req.table))
      return { ...empty, terms, error: `no table ${req.table} here` };
    scope = range;
  }

  let all: Uint8Array | null = null;
  for (const term of parsed.terms) {
    const hit = new Uint8Array(ix.docs.length);
    termMark(ix, term, hit);
    if (all === null) all = hit;
    else for (let i = scope[0]; i < scope[1]; i++) all[i]! &= hit[i]!;
  }

  const first = (req.page - 1) * req.pageSize;
  const rules: RuleRow[] = [];
  const elements: z.infer<typeof SetElementHit>[] = [];
  let total = 0;
  let elementsTotal = 0;
  for (let i = scope[0]; i < scope[1]; i++) {
    if (!all![i]) continue;
    const doc = ix.docs[i]!;
    if (doc.rule && doc.chain) {
      if (total >= first && rules.length < req.pageSize)
        rules.push(ruleRow(doc.table, doc.chain.name, doc.rule));
      total++;
    } else if (doc.set && doc.element !== null) {
      if (elements.length < elementsShown)
        elements.push({ table: doc.table.key, set: doc.set.name, text: doc.element });
      elementsTotal++;
    }
  }
  return { ...empty, terms, error: null, total, rules, elementsTotal, elements };
}
