import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NetnsCandidate } from '../commands/pod-discovery';
import type { Section } from '../commands/parse-sections';
import { podIdentity, runtimeIndex } from '../commands/pod-names';
import { cniArgsPairs, cniCacheRemove, cniCacheWrite } from './cni-cache';
import { cniArgs, cniConflist, cniRuntimeArgs } from './cni-config';
import { cniNetnsPath } from './cni-runner';
import type { PodPlan } from './workload-plan';

const dir = mkdtempSync(path.join(tmpdir(), 'packetlens-cni-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pod: PodPlan = {
  name: 'default/web-0',
  namespace: 'pl-lab-pod-node-1-1',
  node: 'node-1',
  app: 'web',
  containerId: '0f3c1a',
  hostPorts: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
};
const list = cniConflist('lab', '10.244.1.0/24', path.join(dir, 'networks'));
const result = { cniVersion: '1.0.0', ips: [{ address: '10.244.1.2/24', interface: 2 }], interfaces: [] };

/** The cache entry of the web pod's eth0, as podAttach writes it after ADD. */
function cacheWebPod(): void {
  cniCacheWrite({
    cacheDir: dir,
    list,
    containerId: pod.containerId,
    ifName: 'eth0',
    netns: cniNetnsPath(pod.namespace),
    cniArgs: cniArgs(pod),
    capabilityArgs: cniRuntimeArgs(pod),
    result,
  });
}

describe('the lab’s libcni cache', () => {
  it('writes results/<network>-<containerId>-<ifName> as libcni does, and removes it', () => {
    cacheWebPod();
    expect(readdirSync(path.join(dir, 'results'))).toEqual(['lab-0f3c1a-eth0']);
    const cached = JSON.parse(readFileSync(path.join(dir, 'results', 'lab-0f3c1a-eth0'), 'utf8'));
    expect(cached).toEqual({
      kind: 'cniCacheV1',
      containerId: '0f3c1a',
      config: Buffer.from(JSON.stringify(list)).toString('base64'),
      ifName: 'eth0',
      networkName: 'lab',
      netns: '/var/run/netns/pl-lab-pod-node-1-1',
      cniArgs: [
        ['IgnoreUnknown', '1'],
        ['K8S_POD_NAMESPACE', 'default'],
        ['K8S_POD_NAME', 'web-0'],
        ['K8S_POD_INFRA_CONTAINER_ID', '0f3c1a'],
      ],
      capabilityArgs: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
      result,
    });
    cniCacheRemove(dir, 'lab', pod.containerId, 'eth0');
    expect(readdirSync(path.join(dir, 'results'))).toEqual([]);
  });

  it('is what the collector names the pod from', () => {
    cacheWebPod();
    const text = readFileSync(path.join(dir, 'results', 'lab-0f3c1a-eth0'), 'utf8');
    const section: Section = {
      id: 1,
      name: 'cni1:result',
      stdout: text,
      stderr: '',
      exitCode: 0,
      missing: false,
      bytes: { stdout: Buffer.from(text), stderr: Buffer.alloc(0) },
    };
    const index = runtimeIndex([section], (name) => (name === section.name ? section : undefined));
    // The namespace as the collect script finds it on the node, and with no address to match on.
    const candidate: NetnsCandidate = {
      key: 'ns1',
      inode: '4026532900',
      via: ['named'],
      name: pod.namespace,
      pid: null,
      paths: [`/var/run/netns/${pod.namespace}`],
      crictlRefs: [],
      skipped: null,
    };
    expect(podIdentity(candidate, [], index)).toEqual({
      name: 'default/web-0',
      labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'default' },
    });
  });

  it('splits CNI_ARGS into libcni’s pairs', () => {
    expect(cniArgsPairs('IgnoreUnknown=1;K8S_POD_NAME=a=b;;FLAG')).toEqual([
      ['IgnoreUnknown', '1'],
      ['K8S_POD_NAME', 'a=b'],
      ['FLAG', ''],
    ]);
  });
});
