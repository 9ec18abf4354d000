import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Neighbour as NeighbourSchema } from '../model/iproute';
import { ParseError } from '../parse/parse-error';
import { parseIpNeigh } from './parse-neigh';

const fixtures = path.resolve(__dirname, '__fixtures__');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

function parseError(text: string): string {
  try {
    parseIpNeigh(text, { file: 'neigh.json' });
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return (e as ParseError).message;
  }
  throw new Error('expected a ParseError');
}

describe('parseIpNeigh on captured `ip -j neigh` and `ip -6 -j neigh`', () => {
  const all = parseIpNeigh(fixture('ip-neigh.json'), { file: 'ip-neigh.json' });
  const v6 = parseIpNeigh(fixture('ip6-neigh.json'), { file: 'ip6-neigh.json' });

  it('reads every entry, each valid against the model', () => {
    expect(all).toHaveLength((JSON.parse(fixture('ip-neigh.json')) as unknown[]).length);
    for (const n of [...all, ...v6]) expect(NeighbourSchema.safeParse(n).success).toBe(true);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(all, null, 2) + '\n').toMatchFileSnapshot(
      '__fixtures__/golden/ip-neigh.parsed.json',
    );
  });

  it('reads permanent, stale and reachable entries', () => {
    expect(all.find((n) => n.dst === '198.18.0.9')).toEqual({
      family: 'ip',
      dst: '198.18.0.9',
      dev: 'va',
      lladdr: '02:70:6c:00:01:09',
      state: ['PERMANENT'],
      router: false,
      proxy: false,
    });
    expect(all.find((n) => n.dst === '198.18.1.20')?.state).toEqual(['STALE']);
    expect(all.find((n) => n.dst === '198.18.1.21')?.state).toEqual(['REACHABLE']);
  });

  it('reads the IPv6 router flag and an unresolved entry', () => {
    expect(v6.find((n) => n.dst === 'fd00:1::9')).toMatchObject({
      family: 'ip6',
      router: true,
      state: ['PERMANENT'],
    });
    expect(v6.find((n) => n.dst === 'fd00:1::2')).toMatchObject({ lladdr: null, state: ['INCOMPLETE'] });
  });

  it('tells families apart in plain `ip -j neigh`, which lists both', () => {
    expect(all.filter((n) => n.family === 'ip6')).toEqual(v6);
    expect(all.filter((n) => n.family === 'ip').map((n) => n.dst)).toContain('198.18.0.9');
  });

  it('reads proxy entries', () => {
    const proxy = parseIpNeigh('[{"dst":"198.18.0.7","dev":"va","proxy":null}]', { file: 'n.json' });
    expect(proxy[0]).toMatchObject({ proxy: true, state: [], lladdr: null });
  });
});

describe('parseIpNeigh errors', () => {
  it('names the index and field', () => {
    expect(
      parseError(
        '[{"dst":"198.18.0.9","dev":"va","state":["PERMANENT"]},\n{"dst":"nope","dev":"va","state":[]}]',
      ),
    ).toBe("neigh.json:2:8: [1].dst: expected an IP address, got 'nope'");
    expect(parseError('[{"dst":"198.18.0.9","state":["PERMANENT"]}]')).toBe(
      'neigh.json:1:2: [0].dev: expected a string, but it is missing',
    );
    expect(parseError('[{"dst":"198.18.0.9","dev":"va","state":"PERMANENT"}]')).toBe(
      'neigh.json:1:41: [0].state: expected an array',
    );
  });
});
