import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { kubeProxyIptablesRestore, kubeProxyNftScript } from '../../lib/generate/kube-proxy-lab';
import type { AddressPlan, NodeAddresses } from './address-plan';
import { addressPlan, clusterCidr, lanCidr, serviceCidr } from './address-plan';
import { cniCacheMountPoint } from './cni-cache';
import { cniConflist } from './cni-config';
import { cniPodFacts } from './cni-result';
import { dockerBridgeBuild } from './docker-bridge';
import { dockerIptablesRestore } from './docker-rules';
import { inventoryYaml, labInventory } from './inventory-file';
import type { LabDescription, PodBuilt } from './lab-description';
import {
  kubeProxyServices,
  labDescriptionBuild,
  labDescriptionRead,
  servicesResolve,
} from './lab-description';
import type { LabLog } from './lab-down';
import { labTeardown } from './lab-down';
import { withLabLock } from './lab-lock';
import { labNetworkBuild } from './lab-network';
import type { LabPaths } from './lab-paths';
import type { LabState } from './lab-state';
import { labStateEmpty, labStateRead, labStateWrite } from './lab-state';
import { labVerify } from './lab-verify';
import { legacyIptablesRestore } from './legacy-rules';
import { labDirProcesses, labNamespaces, labRootLinks } from './leftovers';
import { podAttach } from './pod-network';
import { iptablesRestore, nftLoad } from './rules-load';
import type { SshHost } from './ssh-client-files';
import { knownHostsFile, sshClientConfig } from './ssh-client-files';
import { privsepDir, sshdRunningPid, sshdStart, sshKeyEnsure } from './sshd';
import { sshdConfig } from './sshd-config';
import type { WorkloadPlan } from './workload-plan';
import { workloadPlan } from './workload-plan';

/**
 * `up`: builds the lab, or, when a complete lab is already there, leaves it as it is (restarting
 * any sshd that was stopped) and checks it again. A half-built lab is torn down and built anew.
 */

export interface LabUpResult {
  lab: LabDescription;
  /** True when a complete lab was already there and was kept. */
  kept: boolean;
  /** One line per passed check. */
  checks: string[];
}

const sshPort = 22;

function plans(): { addresses: AddressPlan; workload: WorkloadPlan } {
  const addresses = addressPlan();
  return { addresses, workload: workloadPlan(addresses.nodes.map((n) => n.name)) };
}

/** The namespaces a complete lab has. */
export function labExpectedNamespaces(lab: LabDescription): string[] {
  return [
    lab.network.switchNamespace,
    ...lab.nodes.map((n) => n.namespace),
    ...lab.pods.map((p) => p.namespace),
    ...lab.containers.map((c) => c.namespace),
  ];
}

/** The finished lab when everything it lists still exists; null otherwise. */
async function labComplete(paths: LabPaths): Promise<LabDescription | null> {
  const lab = labDescriptionRead(paths.description);
  if (!lab || !labStateRead(paths.state)?.complete) return null;
  const namespaces = new Set(await labNamespaces());
  if (!labExpectedNamespaces(lab).every((ns) => namespaces.has(ns))) return null;
  if (!(await labRootLinks()).includes(lab.network.rootLink.name)) return null;
  // A lab from before the nodes had their CNI cache has nothing to mount it on: built anew.
  if (!existsSync(cniCacheMountPoint)) return null;
  return lab;
}

function sshdStartOf(paths: LabPaths, node: NodeAddresses) {
  mkdirSync(paths.cniCacheDir(node.name), { recursive: true, mode: 0o700 });
  return {
    node: node.name,
    namespace: node.namespace,
    hostname: node.name,
    config: paths.sshdConfig(node.name),
    pidFile: paths.sshdPid(node.name),
    logFile: paths.sshdLog(node.name),
    // Over SSH the node has libcni's cache of its own pods only, where a real node has it.
    binds: [{ source: paths.cniCacheDir(node.name), target: cniCacheMountPoint }],
  };
}

async function sshdsBuild(paths: LabPaths, addresses: AddressPlan, log: LabLog): Promise<void> {
  const clientKey = await sshKeyEnsure(paths.identityFile, 'packetlens-lab');
  writeFileSync(paths.authorizedKeys, `${clientKey}\n`, { mode: 0o600 });
  const hosts: SshHost[] = [];
  for (const node of addresses.nodes) {
    mkdirSync(paths.nodeDir(node.name), { recursive: true, mode: 0o700 });
    const publicKey = await sshKeyEnsure(paths.hostKey(node.name), `root@${node.name}`);
    writeFileSync(
      paths.sshdConfig(node.name),
      sshdConfig({
        node: node.name,
        namespace: node.namespace,
        address: node.address,
        port: sshPort,
        hostKey: paths.hostKey(node.name),
        authorizedKeys: paths.authorizedKeys,
      }),
    );
    const pid = await sshdStart(sshdStartOf(paths, node));
    log(`${node.name}: sshd pid ${pid} on ${node.address}:${sshPort} (namespace ${node.namespace})`);
    hosts.push({ name: node.name, address: node.address, port: sshPort, jump: node.jump, publicKey });
  }
  writeFileSync(paths.knownHosts, knownHostsFile(hosts));
  writeFileSync(
    paths.sshConfig,
    sshClientConfig({
      hosts,
      user: 'root',
      identityFile: paths.identityFile,
      knownHosts: paths.knownHosts,
      connectTimeoutSeconds: 5,
    }),
  );
}

async function podsBuild(
  paths: LabPaths,
  addresses: AddressPlan,
  workload: WorkloadPlan,
  state: LabState,
  save: () => void,
  log: LabLog,
): Promise<PodBuilt[]> {
  const built: PodBuilt[] = [];
  for (const node of addresses.nodes) {
    const conflist = cniConflist(workload.cniNetwork, node.podCidr, paths.ipamDir(node.name));
    mkdirSync(paths.cniDir(node.name), { recursive: true });
    // Where a runtime keeps it (/etc/cni/net.d), for anyone reading the lab.
    writeFileSync(
      path.join(paths.cniDir(node.name), '10-lab.conflist'),
      `${JSON.stringify(conflist, null, 2)}\n`,
    );
    for (const pod of workload.pods.filter((p) => p.node === node.name)) {
      const result = await podAttach(
        pod,
        node.namespace,
        conflist,
        paths.xtablesLock,
        paths.cniCacheDir(node.name),
        (a) => {
          state.pods = [...state.pods.filter((p) => p.podNamespace !== a.podNamespace), a];
          save();
        },
      );
      const facts = cniPodFacts(result, 'cni0');
      built.push({ plan: pod, ...facts, cniResult: result });
      log(`${node.name}: pod ${pod.name} ${facts.ip} on ${facts.interface} (namespace ${pod.namespace})`);
    }
  }
  return built;
}

/** Per node: docker0 with its container and rules, legacy rules, then kube-proxy's rules. */
async function nodeNetfilterBuild(
  paths: LabPaths,
  addresses: AddressPlan,
  workload: WorkloadPlan,
  pods: readonly PodBuilt[],
  log: LabLog,
): Promise<void> {
  const services = kubeProxyServices(servicesResolve(workload, pods));
  for (const role of workload.roles) {
    const node = addresses.nodes.find((n) => n.name === role.node);
    if (!node) throw new Error(`role for unknown node ${role.node}`);
    const ns = node.namespace;
    if (role.docker) {
      await dockerBridgeBuild(workload.docker, ns);
      await iptablesRestore(ns, 'nft', dockerIptablesRestore(workload.docker), paths.xtablesLock);
      log(
        `${node.name}: docker0 ${workload.docker.bridgeAddress}, container ${workload.docker.name} ${workload.docker.address}`,
      );
    }
    if (role.legacyRules) {
      await iptablesRestore(ns, 'legacy', legacyIptablesRestore(lanCidr), paths.xtablesLock);
      log(`${node.name}: rules in iptables-legacy`);
    }
    const kubeProxy = { services, clusterCidr, serviceCidr, nodeIps: [node.address] };
    if (role.kubeProxyMode === 'iptables') {
      await iptablesRestore(ns, 'nft', await kubeProxyIptablesRestore(kubeProxy), paths.xtablesLock);
    } else {
      await nftLoad(ns, 'ip', 'kube-proxy', await kubeProxyNftScript(kubeProxy));
    }
    log(`${node.name}: kube-proxy ${role.kubeProxyMode} mode rules`);
  }
}

async function labBuild(paths: LabPaths, log: LabLog): Promise<LabDescription> {
  const { addresses, workload } = plans();
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const state = labStateEmpty();
  const save = () => labStateWrite(paths.state, state);
  // Recorded before it is made, so a crash right after still lets `down` remove it.
  state.madePrivsepDir = !existsSync(privsepDir);
  save();
  if (state.madePrivsepDir) mkdirSync(privsepDir, { mode: 0o755 });
  // The nodes' sshd mount their CNI caches there; on this machine it stays an empty directory.
  state.madeCniCacheMountPoint = !existsSync(cniCacheMountPoint);
  save();
  if (state.madeCniCacheMountPoint) mkdirSync(cniCacheMountPoint, { recursive: true, mode: 0o755 });

  await labNetworkBuild(addresses);
  log(
    `network: ${addresses.rootLink.name} ${addresses.rootLink.address} → ${addresses.nodes.map((n) => `${n.name} ${n.address}`).join(', ')}`,
  );
  await sshdsBuild(paths, addresses, log);
  const pods = await podsBuild(paths, addresses, workload, state, save, log);
  await nodeNetfilterBuild(paths, addresses, workload, pods, log);

  writeFileSync(
    paths.inventory,
    inventoryYaml(
      labInventory({
        identityFile: paths.identityFile,
        knownHosts: paths.knownHosts,
        nodes: addresses.nodes.map((n) => ({
          name: n.name,
          address: n.address,
          jump: n.jump,
          role: workload.roles.find((r) => r.node === n.name)?.role ?? 'worker',
        })),
      }),
    ),
  );
  const lab = labDescriptionBuild(paths, addresses, workload, pods);
  writeFileSync(paths.description, `${JSON.stringify(lab, null, 2)}\n`);
  state.complete = true;
  save();
  return lab;
}

/** Restarts the sshd of each node whose sshd is not running (tests stop one on purpose). */
async function sshdsRevive(paths: LabPaths, log: LabLog): Promise<void> {
  for (const node of plans().addresses.nodes) {
    if (sshdRunningPid(paths.sshdPid(node.name), paths.sshdConfig(node.name)) !== null) continue;
    const pid = await sshdStart(sshdStartOf(paths, node));
    log(`${node.name}: sshd was not running, restarted as pid ${pid}`);
  }
}

async function labLeftovers(paths: LabPaths): Promise<boolean> {
  return (
    (await labNamespaces()).length > 0 ||
    (await labRootLinks()).length > 0 ||
    labDirProcesses(paths.dir).length > 0 ||
    existsSync(paths.dir)
  );
}

export function labUp(paths: LabPaths, log: LabLog): Promise<LabUpResult> {
  return withLabLock(paths.lock, async () => {
    const existing = await labComplete(paths);
    if (existing) {
      log('the lab is up already: keeping it');
      await sshdsRevive(paths, log);
      return { lab: existing, kept: true, checks: await labVerify(paths, existing) };
    }
    if (await labLeftovers(paths)) {
      log('removing a half-built lab first');
      await labTeardown(paths, log);
    }
    const lab = await labBuild(paths, log);
    return { lab, kept: false, checks: await labVerify(paths, lab) };
  });
}
