/**
 * What kube-proxy's own names say: the comments its iptables proxier writes (`ns/svc:port cluster
 * IP`, `ns/svc:port -> 10.0.0.1:80`) and the chain names of both proxiers (`KUBE-SVC-<hash>`,
 * `service-<hash>-ns/svc/tcp/port`). Hashes cannot be reversed: without comments (kube-proxy's large
 * cluster mode) a service's name is unknown, and is reported as such.
 */

/** kube-proxy's ServicePortName: `namespace/name:portName`, or `namespace/name` for an unnamed port. */
const SERVICE = '([a-z0-9](?:[-a-z0-9]*[a-z0-9])?/[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?(?::[-a-z0-9]+)?)';

export type KubeCommentRole =
  | 'cluster-ip'
  | 'external-ip'
  | 'load-balancer-ip'
  | 'node-port'
  | 'no-endpoints'
  | 'no-local-endpoints'
  | 'health-check'
  | 'endpoint'
  | 'other';

export interface KubeComment {
  service: string;
  role: KubeCommentRole;
}

const ROLES: [RegExp, KubeCommentRole][] = [
  [new RegExp(`^${SERVICE} cluster IP$`), 'cluster-ip'],
  [new RegExp(`^${SERVICE} external IP$`), 'external-ip'],
  [new RegExp(`^${SERVICE} loadbalancer IP$`), 'load-balancer-ip'],
  [new RegExp(`^${SERVICE} has no endpoints$`), 'no-endpoints'],
  [new RegExp(`^${SERVICE} has no local endpoints$`), 'no-local-endpoints'],
  [new RegExp(`^${SERVICE} health check node port$`), 'health-check'],
  [new RegExp(`^${SERVICE} -> \\S+$`), 'endpoint'],
  [new RegExp(`^${SERVICE}$`), 'node-port'],
];

/** A kube-proxy comment's service and what the rule is for; null when it is not one of kube-proxy's. */
export function kubeCommentParse(comment: string): KubeComment | null {
  for (const [re, role] of ROLES) {
    const m = re.exec(comment);
    if (m) return { service: m[1]!, role };
  }
  const within = new RegExp(`(?:^|for |to )${SERVICE}(?: |$)`).exec(comment);
  return within ? { service: within[1]!, role: 'other' } : null;
}

export type KubeIptChainKind = 'SVC' | 'SVL' | 'EXT' | 'FW' | 'SEP' | 'XLB';

/** `KUBE-SVC-XPGD46QRK7WJZT7O` → SVC and its hash; null for kube-proxy's fixed chains and others. */
export function kubeIptChainParse(name: string): { kind: KubeIptChainKind; hash: string } | null {
  const m = /^KUBE-(SVC|SVL|EXT|FW|SEP|XLB)-([A-Z0-9]{16})$/.exec(name);
  return m ? { kind: m[1] as KubeIptChainKind, hash: m[2]! } : null;
}

/** kube-proxy's iptables chain names with the hash replaced, so renamed chains compare by content. */
export function kubeIptChainPattern(text: string): string {
  return text.replace(/\bKUBE-(SVC|SVL|EXT|FW|SEP|XLB)-[A-Z0-9]{16}\b/g, 'KUBE-$1-*');
}

export type KubeNftChainKind = 'service' | 'external' | 'endpoint' | 'firewall' | 'cluster' | 'local';

export interface KubeNftChain {
  kind: KubeNftChainKind;
  hash: string;
  /** `ns/svc:port`, rebuilt from the `ns/svc/proto/port` the chain name carries. */
  service: string;
  protocol: string;
  /** `ip:port` of an endpoint chain. */
  endpoint: string | null;
}

/** `service-ULMVA6XW-ns1/svc1/tcp/p80`, `endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80`. */
export function kubeNftChainParse(name: string): KubeNftChain | null {
  const m =
    /^(service|external|endpoint|firewall|cluster|local)-([A-Z0-9]{8})-([^/]+)\/([^/]+)\/([^/]+)\/([^_]*)(?:__(.+)\/(\d+))?$/.exec(
      name,
    );
  if (!m) return null;
  return {
    kind: m[1] as KubeNftChainKind,
    hash: m[2]!,
    service: `${m[3]}/${m[4]}:${m[6]}`,
    protocol: m[5]!,
    endpoint: m[7] !== undefined ? `${m[7].includes(':') ? `[${m[7]}]` : m[7]}:${m[8]}` : null,
  };
}

/** kube-proxy's nft chain and set names with the hash replaced. */
export function kubeNftChainPattern(text: string): string {
  return text.replace(/\b(service|external|endpoint|firewall|cluster|local|affinity)-[A-Z0-9]{8}-/g, '$1-*-');
}
