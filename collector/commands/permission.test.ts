import { describe, expect, it } from 'vitest';
import type { Section } from './parse-sections';
import { deniedSections } from './permission';

function section(name: string, exitCode: number, stderr: string, missing = false): Section {
  return {
    id: 1,
    name,
    stdout: '',
    stderr,
    exitCode,
    missing,
    bytes: { stdout: new Uint8Array(), stderr: new Uint8Array() },
  };
}

describe('deniedSections', () => {
  it('picks the commands refused for lack of privileges', () => {
    const sections = [
      section(
        'host:iptables-save',
        4,
        'iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n',
      ),
      section('host:nft-ruleset', 1, 'Operation not permitted (you must be root)\n'),
      section('host:ipset-save', 1, 'sudo: a password is required\n'),
      section('host:ip-route', 0, ''),
      section('host:ip6-rule', 2, 'RTNETLINK answers: Address family not supported by protocol\n'),
      section('host:ipset-save', 127, '', true),
    ];
    expect(deniedSections(sections).map((s) => s.name)).toEqual([
      'host:iptables-save',
      'host:nft-ruleset',
      'host:ipset-save',
    ]);
  });
});
