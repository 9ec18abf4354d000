import { describe, expect, it } from 'vitest';
import type { Section } from './parse-sections';
import type { NetnsCandidate } from './pod-discovery';
import { podIdentity, runtimeIndex } from './pod-names';

function section(name: string, value: unknown): Section {
  const stdout = JSON.stringify(value);
  return {
    id: 0,
    name,
    stdout,
    stderr: '',
    exitCode: 0,
    missing: false,
    bytes: { stdout: Buffer.from(stdout), stderr: Buffer.alloc(0) },
  };
}

/** A libcni cache entry (cniCacheV1) as containerd writes it for one network of a pod. */
function cached(pod: string, netns: string, ifName: string, ips: string[]): unknown {
  return {
    kind: 'cniCacheV1',
    containerId: `${pod}-sandbox`,
    ifName,
    networkName: ifName === 'lo' ? 'cni-loopback' : 'lab',
    netns,
    cniArgs: [
      ['IgnoreUnknown', '1'],
      ['K8S_POD_NAMESPACE', 'default'],
      ['K8S_POD_NAME', pod],
    ],
    result: { cniVersion: '1.0.0', ips: ips.map((address) => ({ address })) },
  };
}

function named(name: string, paths: string[] = [`/var/run/netns/${name}`]): NetnsCandidate {
  return {
    key: 'ns1',
    inode: '4026532900',
    via: ['named'],
    name,
    pid: null,
    paths,
    crictlRefs: [],
    skipped: null,
  };
}

// Two pods of a node in `ls` order: api's entries come first, web's loopback before its eth0.
const entries = [
  cached('api-0', '/var/run/netns/pod-2', 'lo', ['127.0.0.1/8', '::1/128']),
  cached('api-0', '/var/run/netns/pod-2', 'eth0', ['10.244.1.3/24', 'fe80::1/64']),
  cached('web-0', '/var/run/netns/pod-1', 'lo', ['127.0.0.1/8', '::1/128']),
  cached('web-0', '/var/run/netns/pod-1', 'eth0', ['10.244.1.2/24']),
];
const sections = entries.map((e, i) => section(`cni${i + 1}:result`, e));
const index = runtimeIndex(sections, () => undefined);

describe('podIdentity from CNI results', () => {
  it('names a pod by the netns its cache entry names, whatever other entries’ addresses say', () => {
    const web = podIdentity(named('pod-1'), ['127.0.0.1', '::1', '10.244.1.2'], index);
    expect(web.name).toBe('default/web-0');
    expect(podIdentity(named('pod-2'), ['127.0.0.1', '10.244.1.3'], index).name).toBe('default/api-0');
  });

  it('matches by address only on addresses that tell pods apart, never loopback or link-local', () => {
    // A namespace no entry names (another path), holding only what every namespace holds.
    const stranger = named('other', ['/proc/4242/ns/net']);
    expect(podIdentity(stranger, ['127.0.0.1', '::1', 'fe80::1'], index)).toEqual({
      name: 'other',
      labels: {},
    });
    // The same namespace with the pod's own address is that pod.
    expect(podIdentity(stranger, ['127.0.0.1', '10.244.1.3'], index).name).toBe('default/api-0');
  });
});
