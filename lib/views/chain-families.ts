/**
 * Chain families that tools create one chain per object of: kube-proxy (a KUBE-SVC chain per
 * service, a KUBE-SEP per endpoint, and the nftables-mode `service-`/`endpoint-` chains), CNI (one
 * per container) and Calico. A 10,000-service node has 60,000 of them; the chain graph folds each
 * family into one group so the rest stays readable. Longer prefixes first: the first match wins.
 */
export const chainFamilyPrefixes: readonly string[] = [
  'KUBE-SVC-',
  'KUBE-SVL-',
  'KUBE-SEP-',
  'KUBE-EXT-',
  'KUBE-FW-',
  'KUBE-XLB-',
  'CNI-DN-',
  'CNI-',
  'cali-',
  'service-',
  'endpoint-',
  'external-',
  'firewall-',
];

/** The family prefix of a chain, or null for a chain of its own. */
export function chainFamily(name: string): string | null {
  for (const prefix of chainFamilyPrefixes) if (name.startsWith(prefix)) return prefix;
  return null;
}
