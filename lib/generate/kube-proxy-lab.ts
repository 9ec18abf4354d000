import { cascadeProbability, kubeProxyFilterChains } from './kube-proxy-iptables';

/**
 * The rules kube-proxy programs for a few services whose endpoints are known (the lab's real pod
 * IPs), in both Linux modes: iptables (an `iptables-restore --noflush` payload that leaves other
 * programs' rules in place) and nftables (an `nft -f` script of the native `ip kube-proxy` table).
 * Chain names use kube-proxy's own hashes, base32(sha256(...)), so they are the names kube-proxy
 * itself would give the same services.
 */

export interface KubeProxyEndpoint {
  ip: string;
  port: number;
}

export interface KubeProxyService {
  /** kube-proxy's ServicePortName, `namespace/name:portName`. */
  name: string;
  clusterIp: string;
  port: number;
  protocol: 'tcp' | 'udp';
  nodePort: number | null;
  endpoints: KubeProxyEndpoint[];
}

export interface KubeProxyNode {
  services: KubeProxyService[];
  /** Pod traffic from outside it is masqueraded (`! -s clusterCidr ... KUBE-MARK-MASQ`). */
  clusterCidr: string;
  /** nftables mode drops traffic to ClusterIPs of this range that no service holds. */
  serviceCidr: string;
  /** The node's addresses that accept NodePort traffic (nftables mode's `nodeport-ips`). */
  nodeIps: string[];
}

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (kube-proxy only keeps a prefix, so padding never shows). */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

/** base32(sha256(text)), the digest kube-proxy cuts its chain names from. */
export async function kubeProxyHash(text: string): Promise<string> {
  // Web Crypto is a global in Node 20 and in browsers, so lib/ stays free of node: imports.
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return base32(new Uint8Array(digest));
}

interface ServicePortName {
  namespace: string;
  name: string;
  port: string;
}

export function servicePortNameParse(name: string): ServicePortName {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+):([a-z0-9-]+)$/.exec(name);
  if (!match) throw new Error(`service name '${name}': expected namespace/name:portName`);
  return { namespace: match[1]!, name: match[2]!, port: match[3]! };
}

function endpointText(ep: KubeProxyEndpoint): string {
  return `${ep.ip}:${ep.port}`;
}

// --- iptables mode ---------------------------------------------------------------------------------

interface IptablesChains {
  svc: string;
  ext: string;
  seps: string[];
}

/** KUBE-SVC/KUBE-EXT share portProtoHash(name + protocol); KUBE-SEP adds the endpoint. */
async function iptablesChains(s: KubeProxyService): Promise<IptablesChains> {
  const hash = (await kubeProxyHash(s.name + s.protocol)).slice(0, 16);
  const seps = await Promise.all(
    s.endpoints.map(
      async (ep) => `KUBE-SEP-${(await kubeProxyHash(s.name + s.protocol + endpointText(ep))).slice(0, 16)}`,
    ),
  );
  return { svc: `KUBE-SVC-${hash}`, ext: `KUBE-EXT-${hash}`, seps };
}

/**
 * kube-proxy's jumps from the built-in chains, inserted at the top the way its EnsureRule(Prepend)
 * leaves them, in the order kube-proxy lists them.
 */
const iptablesBuiltinJumps: Record<'filter' | 'nat', string[]> = {
  filter: [
    '-I INPUT 1 -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-I INPUT 2 -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    '-I INPUT 3 -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-I INPUT 4 -j KUBE-FIREWALL',
    '-I FORWARD 1 -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-I FORWARD 2 -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-I FORWARD 3 -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-I FORWARD 4 -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-I OUTPUT 1 -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-I OUTPUT 2 -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-I OUTPUT 3 -j KUBE-FIREWALL',
  ],
  nat: [
    '-I PREROUTING 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-I OUTPUT 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-I POSTROUTING 1 -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
  ],
};

/**
 * An `iptables-restore --noflush` payload: it declares (and so flushes) only kube-proxy's own
 * chains and inserts the built-in jumps, so rules that CNI plugins or Docker wrote stay. Built-in
 * chains are not declared, which keeps their policies.
 */
export async function kubeProxyIptablesRestore(node: KubeProxyNode): Promise<string> {
  const services = await Promise.all(node.services.map(async (s) => ({ s, c: await iptablesChains(s) })));
  const out: string[] = ['*filter'];
  for (const chain of kubeProxyFilterChains) out.push(`:${chain} - [0:0]`);
  out.push(
    ...iptablesBuiltinJumps.filter,
    '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    'COMMIT',
    '*nat',
    ':KUBE-MARK-MASQ - [0:0]',
    ':KUBE-NODEPORTS - [0:0]',
    ':KUBE-POSTROUTING - [0:0]',
    ':KUBE-SERVICES - [0:0]',
  );
  for (const { s, c } of services) {
    if (s.nodePort !== null) out.push(`:${c.ext} - [0:0]`);
    out.push(`:${c.svc} - [0:0]`, ...c.seps.map((sep) => `:${sep} - [0:0]`));
  }
  out.push(
    ...iptablesBuiltinJumps.nat,
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  );
  for (const { s, c } of services) {
    out.push(
      `-A KUBE-SERVICES -d ${s.clusterIp}/32 -p ${s.protocol} -m comment --comment "${s.name} cluster IP" -m ${s.protocol} --dport ${s.port} -j ${c.svc}`,
    );
  }
  out.push(
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
  );
  for (const { s, c } of services) {
    if (s.nodePort === null) continue;
    out.push(
      `-A KUBE-NODEPORTS -p ${s.protocol} -m comment --comment ${s.name} -m ${s.protocol} --dport ${s.nodePort} -j ${c.ext}`,
      `-A ${c.ext} -m comment --comment "masquerade traffic for ${s.name} external destinations" -j KUBE-MARK-MASQ`,
      `-A ${c.ext} -j ${c.svc}`,
    );
  }
  for (const { s, c } of services) {
    out.push(
      `-A ${c.svc} ! -s ${node.clusterCidr} -d ${s.clusterIp}/32 -p ${s.protocol} -m comment --comment "${s.name} cluster IP" -m ${s.protocol} --dport ${s.port} -j KUBE-MARK-MASQ`,
    );
    const n = s.endpoints.length;
    s.endpoints.forEach((ep, i) => {
      const statistic =
        i < n - 1 ? ` -m statistic --mode random --probability ${cascadeProbability(i, n)}` : '';
      out.push(
        `-A ${c.svc} -m comment --comment "${s.name} -> ${endpointText(ep)}"${statistic} -j ${c.seps[i]}`,
      );
    });
    s.endpoints.forEach((ep, i) => {
      const sep = c.seps[i]!;
      out.push(
        `-A ${sep} -s ${ep.ip}/32 -m comment --comment ${s.name} -j KUBE-MARK-MASQ`,
        `-A ${sep} -p ${s.protocol} -m comment --comment ${s.name} -m ${s.protocol} -j DNAT --to-destination ${endpointText(ep)}`,
      );
    });
  }
  out.push('COMMIT', '');
  return out.join('\n');
}

// --- nftables mode ---------------------------------------------------------------------------------

/** The fixed part of kube-proxy's nftables table, as kube-proxy 1.31 writes it. */
function nftPrologue(serviceCidr: string): string[] {
  const t = 'ip kube-proxy';
  return [
    `add table ${t} { comment "rules for kube-proxy" ; }`,
    `add set ${t} cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }`,
    `add set ${t} nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`,
    `add map ${t} firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`,
    `add map ${t} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`,
    `add map ${t} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`,
    `add map ${t} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`,
    `add map ${t} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`,
    `add chain ${t} cluster-ips-check`,
    `add chain ${t} filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }`,
    `add chain ${t} filter-output-pre-dnat { type filter hook output priority -110 ; }`,
    `add chain ${t} filter-forward { type filter hook forward priority 0 ; }`,
    `add chain ${t} filter-input { type filter hook input priority 0 ; }`,
    `add chain ${t} filter-output { type filter hook output priority 0 ; }`,
    `add chain ${t} firewall-check`,
    `add chain ${t} mark-for-masquerade`,
    `add chain ${t} masquerading`,
    `add chain ${t} nat-output { type nat hook output priority -100 ; }`,
    `add chain ${t} nat-postrouting { type nat hook postrouting priority 100 ; }`,
    `add chain ${t} nat-prerouting { type nat hook prerouting priority -100 ; }`,
    `add chain ${t} nodeport-endpoints-check`,
    `add chain ${t} reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`,
    `add chain ${t} services`,
    `add chain ${t} service-endpoints-check`,
    `add rule ${t} cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"`,
    `add rule ${t} cluster-ips-check ip daddr { ${serviceCidr} } drop comment "Drop traffic to unallocated ClusterIPs"`,
    `add rule ${t} filter-prerouting-pre-dnat ct state new jump firewall-check`,
    `add rule ${t} filter-forward ct state new jump service-endpoints-check`,
    `add rule ${t} filter-forward ct state new jump cluster-ips-check`,
    `add rule ${t} filter-input ct state new jump nodeport-endpoints-check`,
    `add rule ${t} filter-input ct state new jump service-endpoints-check`,
    `add rule ${t} filter-output ct state new jump service-endpoints-check`,
    `add rule ${t} filter-output-pre-dnat ct state new jump firewall-check`,
    `add rule ${t} filter-output ct state new jump cluster-ips-check`,
    `add rule ${t} firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips`,
    `add rule ${t} mark-for-masquerade mark set mark or 0x4000`,
    `add rule ${t} masquerading mark and 0x4000 == 0 return`,
    `add rule ${t} masquerading mark set mark xor 0x4000`,
    `add rule ${t} masquerading masquerade fully-random`,
    `add rule ${t} nat-output jump services`,
    `add rule ${t} nat-postrouting jump masquerading`,
    `add rule ${t} nat-prerouting jump services`,
    `add rule ${t} nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports`,
    `add rule ${t} reject-chain reject`,
    `add rule ${t} services ip daddr . meta l4proto . th dport vmap @service-ips`,
    `add rule ${t} services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports`,
    `add rule ${t} service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services`,
  ];
}

interface NftChains {
  service: string;
  external: string;
  endpoints: string[];
}

/** kube-proxy's hashAndTruncate: the first 8 base32 characters of the hash, then the name itself. */
async function nftChainName(prefix: string, name: string): Promise<string> {
  return `${prefix}-${(await kubeProxyHash(name)).slice(0, 8)}-${name}`;
}

async function nftChains(s: KubeProxyService): Promise<NftChains> {
  const p = servicePortNameParse(s.name);
  const base = `${p.namespace}/${p.name}/${s.protocol}/${p.port}`;
  const endpoints = await Promise.all(
    s.endpoints.map((ep) => nftChainName('endpoint', `${base}__${ep.ip}/${ep.port}`)),
  );
  return {
    service: await nftChainName('service', base),
    external: await nftChainName('external', base),
    endpoints,
  };
}

/** An `nft -f` script of the `ip kube-proxy` table, shaped like kube-proxy's own transactions. */
export async function kubeProxyNftScript(node: KubeProxyNode): Promise<string> {
  const t = 'ip kube-proxy';
  const services = await Promise.all(node.services.map(async (s) => ({ s, c: await nftChains(s) })));
  const out = nftPrologue(node.serviceCidr);
  for (const { s, c } of services) {
    out.push(`add chain ${t} ${c.service}`);
    if (s.nodePort !== null) out.push(`add chain ${t} ${c.external}`);
    for (const ep of c.endpoints) out.push(`add chain ${t} ${ep}`);
  }
  for (const { s, c } of services) {
    out.push(
      `add rule ${t} ${c.service} ip daddr ${s.clusterIp} ip saddr != ${node.clusterCidr} jump mark-for-masquerade`,
    );
    const branches = c.endpoints.map((chain, i) => `${i} : goto ${chain}`).join(' , ');
    out.push(`add rule ${t} ${c.service} numgen random mod ${c.endpoints.length} vmap { ${branches} }`);
    if (s.nodePort !== null) {
      out.push(
        `add rule ${t} ${c.external} jump mark-for-masquerade`,
        `add rule ${t} ${c.external} goto ${c.service}`,
      );
    }
    s.endpoints.forEach((ep, i) => {
      const chain = c.endpoints[i]!;
      out.push(
        `add rule ${t} ${chain} ip saddr ${ep.ip} jump mark-for-masquerade`,
        `add rule ${t} ${chain} meta l4proto ${s.protocol} dnat to ${endpointText(ep)}`,
      );
    });
  }
  for (const ip of node.nodeIps) out.push(`add element ${t} nodeport-ips { ${ip} }`);
  for (const { s, c } of services) {
    out.push(
      `add element ${t} cluster-ips { ${s.clusterIp} }`,
      `add element ${t} service-ips { ${s.clusterIp} . ${s.protocol} . ${s.port} : goto ${c.service} }`,
    );
    if (s.nodePort !== null) {
      out.push(`add element ${t} service-nodeports { ${s.protocol} . ${s.nodePort} : goto ${c.external} }`);
    }
  }
  out.push('');
  return out.join('\n');
}
