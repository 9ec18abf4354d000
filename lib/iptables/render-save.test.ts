import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IptablesDump, IptChain, IptMatch, IptRule, IptTarget } from '../model/iptables';
import { matchModules } from './match-modules';
import type { ModuleSpec } from './module-spec';
import type { Codec } from './option-codecs';
import * as codecs from './option-codecs';
import { parseIptablesSave } from './parse-save';
import { renderIptablesSave, renderRuleSpec } from './render-save';
import { targetModules } from './target-modules';

const word = fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/);
// Any single-line text but a lone `!`, which iptables itself reads as a negation.
const text = fc
  .string({ maxLength: 24, unit: 'binary' })
  .filter((s) => !/[\n\r\0]/.test(s) && s !== '!' && !s.includes('\u2028') && !s.includes('\u2029'));
const port = fc.integer({ min: 0, max: 65535 });
const portRange = fc.tuple(port, port).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));
const u32 = fc.integer({ min: 0, max: 0xffffffff });

const arbitraries = new Map<Codec<unknown>, fc.Arbitrary<unknown>>([
  [codecs.flag, fc.constant(true)],
  [codecs.str, text],
  [codecs.uint, fc.nat()],
  [codecs.hexUint, u32],
  [codecs.probability, fc.integer({ min: 0, max: 1e11 }).map((k) => k / 1e11)],
  [codecs.list, fc.array(word, { minLength: 1, maxLength: 4 })],
  [codecs.portRange, portRange],
  [codecs.portList, fc.array(portRange, { minLength: 1, maxLength: 5 })],
  [
    codecs.numRange,
    fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) })),
  ],
  [codecs.markMask, fc.record({ value: u32, mask: fc.option(u32, { nil: null }) })],
  [
    codecs.tcpFlags,
    fc.record({
      mask: fc.array(word, { minLength: 1, maxLength: 4 }),
      comp: fc.array(word, { maxLength: 3 }),
    }),
  ],
  [
    codecs.setRef,
    fc.record({
      name: word,
      dirs: fc.array(fc.constantFrom('src' as const, 'dst' as const), { minLength: 1, maxLength: 3 }),
    }),
  ],
  [
    codecs.chunkTypes,
    fc.record({
      scope: fc.constantFrom('all', 'any', 'only'),
      types: fc.array(word, { minLength: 1, maxLength: 3 }),
    }),
  ],
]);

function moduleArbitrary(spec: ModuleSpec): fc.Arbitrary<{ name: string; options: Record<string, unknown> }> {
  const options: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, opt] of Object.entries(spec.options)) {
    const value = arbitraries.get(opt.codec);
    if (!value) throw new Error(`no arbitrary for the codec of ${spec.name} ${key}`);
    options[key] = fc.record({ value, negate: fc.boolean() });
  }
  return fc.record(options, { requiredKeys: [] }).map((o) => ({ name: spec.name, options: o }));
}

const anyMatch = fc.oneof(...matchModules.map((m) => moduleArbitrary(m))) as fc.Arbitrary<IptMatch>;
const anyKnownTarget = fc.oneof(...targetModules.map((t) => moduleArbitrary(t))) as fc.Arbitrary<IptTarget>;
const negatable = <T extends string>(v: fc.Arbitrary<T>) => fc.record({ value: v, negate: fc.boolean() });
const cidr = fc
  .tuple(u32, fc.integer({ min: 0, max: 32 }))
  .map(([a, p]) => `${[a >>> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255].join('.')}/${p}`);

const ruleArbitrary = (chains: string[]): fc.Arbitrary<IptRule> =>
  fc
    .record(
      {
        src: negatable(cidr),
        dst: negatable(cidr),
        inIface: negatable(fc.stringMatching(/^[a-z][a-z0-9.]{0,6}\+?$/)),
        outIface: negatable(fc.stringMatching(/^[a-z][a-z0-9.]{0,6}\+?$/)),
        proto: negatable(fc.constantFrom('tcp', 'udp', 'icmp', 'sctp', 'all', '47')),
        fragment: fc.record({ negate: fc.boolean() }),
        matches: fc.array(anyMatch, { maxLength: 4 }),
        target: fc.option(
          fc.oneof(
            anyKnownTarget.map((t) => ({ target: t, goto: false })),
            fc
              .constantFrom(...chains)
              .map((name) => ({ target: { name, chain: true as const }, goto: false })),
            fc
              .constantFrom(...chains)
              .map((name) => ({ target: { name, chain: true as const }, goto: true })),
          ),
          { nil: null },
        ),
        counters: fc.option(fc.record({ packets: fc.nat(), bytes: fc.nat() }), { nil: null }),
      },
      { requiredKeys: ['matches', 'target', 'counters'] },
    )
    .map(({ target, ...rest }) => ({
      ...rest,
      index: 1,
      line: 1,
      text: '',
      target: target?.target ?? null,
      goto: target?.goto ?? false,
    }));

const dumpArbitrary: fc.Arbitrary<IptablesDump> = fc
  .uniqueArray(fc.stringMatching(/^[a-z][A-Za-z0-9_-]{0,10}$/), { minLength: 1, maxLength: 3 })
  .chain((userChains) =>
    fc
      .record({
        input: fc.array(ruleArbitrary(userChains), { maxLength: 4 }),
        user: fc.array(fc.array(ruleArbitrary(userChains), { maxLength: 3 }), {
          minLength: userChains.length,
          maxLength: userChains.length,
        }),
      })
      .map(({ input, user }) => {
        const chains: IptChain[] = [
          {
            name: 'INPUT',
            policy: 'DROP',
            builtin: true,
            counters: { packets: 1, bytes: 2 },
            line: 1,
            rules: input,
          },
          ...userChains.map((name, i) => ({
            name,
            policy: null,
            builtin: false,
            counters: { packets: 0, bytes: 0 },
            line: 1,
            rules: user[i]!,
          })),
        ];
        return {
          family: 'ip' as const,
          backend: 'unknown' as const,
          version: null,
          otherBackendHasRules: false,
          tables: [{ name: 'filter' as const, line: 1, chains }],
        };
      }),
  );

/** Positions and source text are properties of a file, not of the rules. */
function comparable(dump: IptablesDump) {
  return dump.tables.map((t) => ({
    name: t.name,
    chains: t.chains.map((c) => ({
      ...c,
      line: 0,
      rules: c.rules.map(({ line: _l, text: _t, index: _i, ...r }) => r),
    })),
  }));
}

describe('export then parse', () => {
  it('gives back the same rules for random rule sets', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(dumpArbitrary, (dump) => {
        const rendered = renderIptablesSave(dump, { counters: true });
        const back = parseIptablesSave(rendered, { file: 'random.rules' });
        expect(comparable(back)).toEqual(comparable(dump));
      }),
      { numRuns: 200 },
    );
  });

  it('writes each rule on one line in iptables-save order with iptables quoting', () => {
    const dump = parseIptablesSave(
      '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m comment --comment "a \\"b\\"" -p tcp -s 10.0.0.1 --dport 80 -j DNAT --to-destination 10.1.1.1:8080 --random\nCOMMIT\n',
      { file: 'x' },
    );
    const rule = dump.tables[0]!.chains[0]!.rules[0]!;
    expect(renderRuleSpec(rule)).toBe(
      ' -s 10.0.0.1 -p tcp -m comment --comment "a \\"b\\"" -m tcp --dport 80 -j DNAT --to-destination 10.1.1.1:8080 --random',
    );
  });
});
