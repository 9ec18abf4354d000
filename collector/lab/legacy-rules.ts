/**
 * Rules a node keeps in the iptables-legacy backend beside its nf_tables rules, the way an old host
 * firewall script still calling iptables-legacy leaves them: the collector must read both backends
 * and the simulator must apply both. Loaded with iptables-legacy-restore into a namespace whose
 * legacy tables are empty.
 */
export function legacyIptablesRestore(lanCidr: string): string {
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':HOST-FIREWALL - [0:0]',
    '-A INPUT -j HOST-FIREWALL',
    `-A HOST-FIREWALL -s ${lanCidr} -p tcp -m tcp --dport 9100 -m comment --comment "node-exporter from the lab LAN" -j ACCEPT`,
    '-A HOST-FIREWALL -p tcp -m tcp --dport 9100 -j REJECT --reject-with tcp-reset',
    '-A HOST-FIREWALL -j RETURN',
    'COMMIT',
    '*mangle',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    '-A POSTROUTING -o eth0 -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
    'COMMIT',
    '',
  ].join('\n');
}
