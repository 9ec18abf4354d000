import { describe, expect, it } from 'vitest';
import { cniArgs, cniConflist, cniPluginConfig } from './cni-config';
import { workloadPlan } from './workload-plan';

const list = cniConflist('lab', '10.244.1.0/24', '/lab/ipam');
const runtime = { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' as const }] };

describe('cniPluginConfig', () => {
  it('gives the first plugin the list name and version, no prevResult and no runtimeConfig', () => {
    const conf = cniPluginConfig(list, 0, runtime, null);
    expect(conf).toMatchObject({ cniVersion: '1.0.0', name: 'lab', type: 'bridge', ipMasq: true });
    expect(conf).not.toHaveProperty('prevResult');
    expect(conf).not.toHaveProperty('runtimeConfig');
    expect(conf.ipam).toEqual({
      type: 'host-local',
      ranges: [[{ subnet: '10.244.1.0/24' }]],
      routes: [{ dst: '0.0.0.0/0' }],
      dataDir: '/lab/ipam',
    });
  });

  it('hands portmap the port mappings it declares a capability for, and the previous result', () => {
    const prev = { cniVersion: '1.0.0', ips: [] };
    const conf = cniPluginConfig(list, 1, runtime, prev);
    expect(conf).toMatchObject({ type: 'portmap', runtimeConfig: runtime, prevResult: prev });
    expect(cniPluginConfig(list, 2, runtime, prev)).not.toHaveProperty('runtimeConfig');
  });

  it('names a plugin number the list does not have', () => {
    expect(() => cniPluginConfig(list, 3, runtime, null)).toThrow('CNI network lab has no plugin number 3');
  });
});

describe('cniArgs', () => {
  it('passes the pod name and namespace as the CRI runtimes do', () => {
    const pod = workloadPlan(['node-1']).pods.find((p) => p.name === 'default/web-0')!;
    expect(cniArgs(pod)).toBe(
      `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=${pod.containerId}`,
    );
  });
});
