import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IpSet } from '../model/ipset';
import { IpSet as IpSetSchema } from '../model/ipset';
import { ParseError } from '../parse/parse-error';
import { parseIpsetSave } from './parse-save';

const fixtures = path.resolve(__dirname, '__fixtures__');
const saveText = readFileSync(path.join(fixtures, 'ipset-save.txt'), 'utf8');

function named(sets: IpSet[], name: string): IpSet {
  const s = sets.find((x) => x.name === name);
  if (!s) throw new Error(`no set ${name}`);
  return s;
}

function parseError(text: string): string {
  try {
    parseIpsetSave(text, { file: 'sets.txt' });
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return (e as ParseError).message;
  }
  throw new Error('expected a ParseError');
}

describe('parseIpsetSave on captured `ipset save`', () => {
  const sets = parseIpsetSave(saveText, { file: 'ipset-save.txt' });

  it('reads every set and every member, each valid against the model', () => {
    const lines = saveText.split('\n');
    expect(sets).toHaveLength(lines.filter((l) => l.startsWith('create ')).length);
    expect(sets.reduce((n, s) => n + s.members.length, 0)).toBe(
      lines.filter((l) => l.startsWith('add ')).length,
    );
    for (const s of sets) expect(IpSetSchema.safeParse(s).success).toBe(true);
    // Members keep the text of their add line exactly.
    for (const s of sets)
      for (const m of s.members) expect(lines[m.line - 1]).toContain(`add ${s.name} ${m.text}`);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(sets, null, 2) + '\n').toMatchFileSnapshot(
      '__fixtures__/golden/ipset-save.parsed.json',
    );
  });

  it('reads a hash:ip set with counters and comments', () => {
    expect(named(sets, 'plcap-ip')).toEqual({
      name: 'plcap-ip',
      type: 'hash:ip',
      family: 'inet',
      line: 1,
      options: {
        hashsize: 1024,
        maxelem: 65536,
        bucketsize: 12,
        initval: '0x1a2b3c4d',
        timeout: null,
        counters: true,
        comment: true,
        skbinfo: false,
        forceadd: false,
        netmask: null,
        markmask: null,
        range: null,
        size: null,
        extra: [],
      },
      members: [
        {
          text: '198.18.0.2',
          line: 2,
          timeout: null,
          nomatch: false,
          comment: 'peer b',
          packets: 0,
          bytes: 0,
          skbmark: null,
          skbprio: null,
          skbqueue: null,
          extra: [],
        },
        {
          text: '198.18.0.3',
          line: 3,
          timeout: null,
          nomatch: false,
          comment: 'seeded counters',
          packets: 10,
          bytes: 840,
          skbmark: null,
          skbprio: null,
          skbqueue: null,
          extra: [],
        },
      ],
    });
  });

  it('reads nomatch exceptions of a hash:net set', () => {
    const net = named(sets, 'plcap-net');
    expect(net.members.map((m) => [m.text, m.nomatch, m.comment])).toEqual([
      ['198.18.0.0/15', false, 'benchmark range'],
      ['198.18.5.0/24', true, 'carve-out'],
    ]);
  });

  it('reads hash:ip,port, IPv6, timeout, bitmap:port and list:set sets', () => {
    expect(
      named(sets, 'plcap-ipport')
        .members.map((m) => m.text)
        .sort(),
    ).toEqual(['198.18.0.2,tcp:80', '198.18.0.2,udp:53', '198.18.0.3,icmp:echo-request']);
    const v6 = named(sets, 'plcap-ip6');
    expect([v6.family, v6.options.timeout, v6.members[0]!.text]).toEqual(['inet6', 600, 'fd00:1::2']);
    expect(v6.members[0]!.timeout).toBeGreaterThan(0);
    expect(named(sets, 'plcap-net6').options.maxelem).toBe(1024);
    expect(named(sets, 'plcap-netiface').members[0]!.text).toBe('198.18.0.0/16,va');
    expect(named(sets, 'plcap-ports')).toMatchObject({
      type: 'bitmap:port',
      family: null,
      options: { range: '1024-2048' },
    });
    expect(named(sets, 'plcap-list')).toMatchObject({ type: 'list:set', options: { size: 8 } });
    expect(named(sets, 'plcap-list').members.map((m) => m.text)).toEqual(['plcap-ip', 'plcap-net']);
  });
});

describe('parseIpsetSave on other forms', () => {
  it('reads skbinfo, forceadd, huge counters and options it does not know', () => {
    const text = [
      'create s hash:ip family inet hashsize 64 maxelem 8 skbinfo forceadd netmask 24 bitmask 255.255.255.0',
      'add s 10.0.0.0 skbmark 0x10/0xff skbprio 1:10 skbqueue 3 packets 18446744073709551615 bytes 9007199254740993 future yes',
      '',
      '# a note',
    ].join('\r\n');
    const [set] = parseIpsetSave(text, { file: 's.txt' });
    expect(set!.options).toMatchObject({
      skbinfo: true,
      forceadd: true,
      netmask: 24,
      extra: ['bitmask', '255.255.255.0'],
    });
    expect(set!.members[0]).toMatchObject({
      skbmark: '0x10/0xff',
      skbprio: '1:10',
      skbqueue: 3,
      packets: '18446744073709551615',
      bytes: '9007199254740993',
      extra: ['future', 'yes'],
    });
  });

  it('reads back what a set renders to', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,31}$/);
    const comment = fc.stringMatching(/^[^"\n\r\0]{0,40}$/);
    const member = fc.record({
      text: fc.stringMatching(/^[0-9a-f.:,/]{1,30}$/),
      timeout: fc.option(fc.nat(), { nil: null }),
      comment: fc.option(comment, { nil: null }),
      nomatch: fc.boolean(),
    });
    fc.assert(
      fc.property(name, fc.array(member, { maxLength: 5 }), (setName, members) => {
        const lines = [
          `create ${setName} hash:net family inet hashsize 1024 maxelem 65536 timeout 0 comment`,
        ];
        for (const m of members) {
          let line = `add ${setName} ${m.text}`;
          if (m.timeout !== null) line += ` timeout ${m.timeout}`;
          if (m.nomatch) line += ' nomatch';
          if (m.comment !== null) line += ` comment "${m.comment}"`;
          lines.push(line);
        }
        const [set] = parseIpsetSave(lines.join('\n') + '\n', { file: 's.txt' });
        expect(
          set!.members.map((m) => ({
            text: m.text,
            timeout: m.timeout,
            comment: m.comment,
            nomatch: m.nomatch,
          })),
        ).toEqual(members);
      }),
    );
  });

  it('reads an empty dump as no sets', () => {
    expect(parseIpsetSave('', { file: 's.txt' })).toEqual([]);
  });
});

describe('parseIpsetSave errors', () => {
  it('names file, line and column', () => {
    expect(parseError('create a hash:ip\nadd a 10.0.0.1 comment "unterminated')).toBe(
      `sets.txt:2:24: unterminated quoted string: expected a closing '"'`,
    );
    expect(parseError('create a hash:ip\nadd b 10.0.0.1')).toBe(
      "sets.txt:2:5: add to set 'b' before its create line: expected create b first",
    );
    expect(parseError('create a hash:ip hashsize big')).toBe(
      "sets.txt:1:27: bad number 'big': expected an integer from 1 to 4294967295",
    );
    expect(parseError('create a hash:ip\ncreate a hash:net')).toBe(
      'sets.txt:2:8: set a is created twice (first at line 1)',
    );
    expect(parseError('create a hash:ip family inet7')).toBe(
      "sets.txt:1:25: bad family 'inet7': expected inet or inet6",
    );
    expect(parseError('create a ip-hash')).toBe(
      "sets.txt:1:10: bad set type 'ip-hash': expected e.g. hash:ip, hash:net,port, bitmap:port or list:set",
    );
    expect(parseError('create a')).toBe('sets.txt:1:9: expected a set type after create a');
    expect(parseError('create a hash:ip\nadd a')).toBe('sets.txt:2:6: expected an element after add a');
    expect(parseError('create a hash:ip\nadd a 10.0.0.1 timeout')).toBe(
      'sets.txt:2:23: expected a value after timeout',
    );
    expect(parseError('create a hash:ip counters\nadd a 10.0.0.1 packets -1')).toBe(
      "sets.txt:2:24: bad packets counter '-1': expected a decimal number",
    );
    expect(parseError('create a hash:ip\n  -A a 10.0.0.1')).toBe(
      "sets.txt:2:3: unknown command '-A': expected create or add",
    );
  });

  it('rejects binary data and keeps a 1 MB line short', () => {
    expect(parseError('create a hash:ip\nadd a \u0000\u0001')).toBe(
      'sets.txt:2:7: binary data: expected ipset save output',
    );
    expect(parseError(`${'z'.repeat(1_000_000)} a`)).toBe(
      `sets.txt:1:1: unknown command '${'z'.repeat(40)}…': expected create or add`,
    );
  });

  it('throws only ParseError on random text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.stringMatching(/^(create|add) [a-z: ,"0-9]{0,30}(\n(create|add) [a-z: ,"0-9]{0,30}){0,4}$/),
        ),
        (text) => {
          try {
            parseIpsetSave(text, { file: 'sets.txt' });
          } catch (e) {
            if (!(e instanceof ParseError)) throw e;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
