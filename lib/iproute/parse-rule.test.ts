import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../model/iproute';
import { PolicyRule as PolicyRuleSchema } from '../model/iproute';
import { ParseError } from '../parse/parse-error';
import { parseIpRule } from './parse-rule';

const fixtures = path.resolve(__dirname, '__fixtures__');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

function byPriority(rules: PolicyRule[], priority: number): PolicyRule {
  const r = rules.find((x) => x.priority === priority);
  if (!r) throw new Error(`no rule ${priority}`);
  return r;
}

function parseError(text: string): string {
  try {
    parseIpRule(text, { file: 'rule.json' });
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return (e as ParseError).message;
  }
  throw new Error('expected a ParseError');
}

/** The fields of a rule that is all defaults, for toEqual with the few that differ. */
const plain: PolicyRule = {
  family: 'ip',
  priority: 0,
  not: false,
  src: 'all',
  dst: 'all',
  iif: null,
  iifDetached: false,
  oif: null,
  oifDetached: false,
  fwmark: null,
  fwmask: null,
  tos: null,
  ipproto: null,
  sport: null,
  dport: null,
  uidrange: null,
  l3mdev: false,
  table: null,
  action: 'to_tbl',
  goto: null,
  unresolved: false,
  suppressPrefixlength: null,
  suppressIfgroup: null,
};

describe('parseIpRule on captured `ip -j rule`', () => {
  const text = fixture('ip-rule.json');
  const rules = parseIpRule(text, { file: 'ip-rule.json' });

  it('reads every rule, each valid against the model', () => {
    expect(rules).toHaveLength((JSON.parse(text) as unknown[]).length);
    for (const r of rules) expect(PolicyRuleSchema.safeParse(r).success).toBe(true);
    expect(rules.every((r) => r.family === 'ip')).toBe(true);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(rules, null, 2) + '\n').toMatchFileSnapshot(
      '__fixtures__/golden/ip-rule.parsed.json',
    );
  });

  it('reads fwmark with and without a mask as numbers', () => {
    expect(byPriority(rules, 100)).toEqual({
      ...plain,
      priority: 100,
      fwmark: 0x100,
      fwmask: 0xff00,
      table: '100',
    });
    expect(byPriority(rules, 110)).toMatchObject({ fwmark: 1, fwmask: 0xffffffff });
  });

  it('writes from/to with their prefix, host addresses as /32', () => {
    expect(byPriority(rules, 200)).toMatchObject({
      src: '198.18.0.0/30',
      dst: '198.18.104.0/24',
      table: '100',
    });
    expect(byPriority(rules, 210)).toMatchObject({ src: '198.18.10.1/32', dst: 'all' });
    expect(byPriority(rules, 350)).toMatchObject({ not: true, src: '198.18.0.0/15' });
  });

  it('reads devices, ports, uids, tos and l3mdev', () => {
    expect(byPriority(rules, 300)).toMatchObject({ iif: 'va', table: 'main' });
    expect(byPriority(rules, 310)).toMatchObject({ oif: 'stub0', table: '100' });
    expect(byPriority(rules, 600)).toMatchObject({
      ipproto: 'tcp',
      sport: { start: 1000, end: 1000 },
      dport: { start: 80, end: 90 },
    });
    expect(byPriority(rules, 700).uidrange).toEqual({ start: 1000, end: 2000 });
    expect(byPriority(rules, 800).tos).toBe('0x10');
    expect(byPriority(rules, 1000)).toEqual({ ...plain, priority: 1000, l3mdev: true });
  });

  it('reads the actions: goto, nop, suppress, blackhole, unreachable, prohibit', () => {
    expect(byPriority(rules, 400)).toMatchObject({
      src: '198.18.40.0/24',
      action: 'goto',
      goto: 500,
      table: null,
    });
    expect(byPriority(rules, 450)).toEqual({ ...plain, priority: 450, action: 'nop' });
    expect(byPriority(rules, 500)).toMatchObject({ table: 'main', suppressPrefixlength: 0 });
    expect(byPriority(rules, 510)).toMatchObject({ table: 'main', suppressIfgroup: '5' });
    expect(byPriority(rules, 900)).toMatchObject({ src: '198.18.99.0/24', action: 'blackhole', table: null });
    expect(byPriority(rules, 910).action).toBe('unreachable');
    expect(byPriority(rules, 920).action).toBe('prohibit');
  });

  it('reads the three default rules', () => {
    expect([0, 32766, 32767].map((p) => byPriority(rules, p))).toEqual([
      { ...plain, priority: 0, table: 'local' },
      { ...plain, priority: 32766, table: 'main' },
      { ...plain, priority: 32767, table: 'default' },
    ]);
  });
});

describe('parseIpRule on captured `ip -6 -j rule`', () => {
  const rules = parseIpRule(fixture('ip6-rule.json'), { file: 'ip6-rule.json' });

  it('takes the family of the addresses for every rule of the file', () => {
    expect(rules.map((r) => r.family)).toEqual(['ip6', 'ip6', 'ip6', 'ip6', 'ip6', 'ip6']);
  });

  it('reads IPv6 selectors', () => {
    expect(byPriority(rules, 100)).toMatchObject({ fwmark: 2, fwmask: 0xff, table: '100' });
    expect(byPriority(rules, 200).src).toBe('fd00:1::/64');
    expect(byPriority(rules, 210).src).toBe('fd00:1::1/128');
    expect(byPriority(rules, 300)).toMatchObject({
      not: true,
      src: 'all',
      dst: 'fd00:300::/64',
      table: 'main',
    });
  });
});

describe('parseIpRule on files that do not tell their family', () => {
  const defaults6 = fixture('peer-ip6-rule.json');

  it('uses the caller hint', () => {
    expect(
      parseIpRule(defaults6, { file: 'peer-ip6-rule.json', family: 'ip6' }).map((r) => r.family),
    ).toEqual(['ip6', 'ip6']);
  });

  it('assumes IPv4 without a hint, as `ip rule` does', () => {
    expect(parseIpRule(defaults6, { file: 'peer-ip6-rule.json' }).map((r) => r.family)).toEqual(['ip', 'ip']);
    expect(parseIpRule(fixture('peer-ip-rule.json'), { file: 'peer-ip-rule.json' })).toHaveLength(3);
  });
});

describe('parseIpRule on other shapes iproute2 prints', () => {
  it('reads detached devices, unresolved gotos and zero marks', () => {
    const text =
      '[{"priority":5,"src":"all","fwmark":"0","fwmask":"0xff","table":"5"},' +
      '{"priority":9,"src":"all","iif":"nonexist","iif_detached":null,"table":"5"},' +
      '{"priority":10,"src":"all","goto":11,"unresolved":null},' +
      '{"priority":11,"src":"all","sport_start":100,"sport_end":200,"dport":22,"table":"5"}]';
    const rules = parseIpRule(text, { file: 'r.json' });
    expect(rules[0]).toMatchObject({ fwmark: 0, fwmask: 0xff });
    expect(rules[1]).toMatchObject({ iif: 'nonexist', iifDetached: true });
    expect(rules[2]).toMatchObject({ action: 'goto', goto: 11, unresolved: true });
    expect(rules[3]).toMatchObject({ sport: { start: 100, end: 200 }, dport: { start: 22, end: 22 } });
  });

  it('reads the dsfield spelling of tos', () => {
    expect(
      parseIpRule('[{"priority":1,"src":"all","dsfield":"0x28","table":"5"}]', { file: 'r.json' })[0]!.tos,
    ).toBe('0x28');
  });
});

describe('parseIpRule errors', () => {
  it('names the line and column of truncated JSON', () => {
    expect(parseError('[{"priority":0,"src":"all",\n"table":"lo')).toBe(
      "rule.json:2:12: unexpected end of file: expected '\"' to close the string opened at 2:9",
    );
    expect(parseError('[{"priority":0 "src":"all"}]')).toBe(
      "rule.json:1:16: unexpected '\"src\"': expected ',' or '}'",
    );
  });

  it('names the index and field of a wrong shape', () => {
    expect(parseError('[{"priority":0,"src":"all"},\n {"priority":"1","src":"all"}]')).toBe(
      'rule.json:2:14: [1].priority: expected a number',
    );
    expect(parseError('[{"priority":0}]')).toBe(
      'rule.json:1:2: [0].src: expected a string, but it is missing',
    );
    expect(parseError('[{"priority":1,"src":"all","fwmark":"0x1ffffffff"}]')).toBe(
      "rule.json:1:37: [0].fwmark: expected a 32-bit number such as 0x100, got '0x1ffffffff'",
    );
    expect(parseError('[{"priority":1,"src":"10.0.0.0","srclen":8,"dst":"fd00::","dstlen":8}]')).toBe(
      "rule.json:1:50: [0].dst: expected an IPv4 address like the rest of the entry, got 'fd00::'",
    );
    expect(parseError('[{"priority":1,"src":"all","action":"masquerade"}]')).toBe(
      "rule.json:1:37: [0].action: unknown rule action 'masquerade': expected to_tbl, goto, nop, blackhole, unreachable, prohibit",
    );
    expect(parseError('[{"priority":1,"src":"all","uid_start":5}]')).toBe(
      'rule.json:1:2: [0]: expected uid_end with uid_start',
    );
  });
});
