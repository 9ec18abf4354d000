#!/usr/bin/env bash
# Captures real `nft -j list ruleset` / `nft list ruleset` pairs for lib/nftables (parser and text
# renderer tests). Needs root, nftables and iptables with the nf_tables backend. Everything is loaded
# into one throwaway network namespace, plcap-nft-<pid>, deleted on any exit; its only links are a
# veth pair created inside it. The root namespace's firewall is never touched and no packet is sent.
#
# Writes into lib/nftables/__fixtures__/:
#   native-features.{nft.json,nft}       hand-written native ruleset (kube-proxy/docker-style features)
#   sim-semantics.{nft.json,nft}        native chains the simulator tests walk packets through
#   syntax-tour.{nft.json,nft}           one rule per datatype and statement quirk of the text syntax
#   iptables-nft-compat.{nft.json,nft}   an iptables-restore payload loaded through iptables-nft
#   iptables-nft-compat.iptables-save    iptables-save of that payload
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/lib/nftables/__fixtures__
ns="plcap-nft-$$"

cleanup() {
  if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" || echo "warning: could not delete netns $ns" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

[ "$(id -u)" = 0 ] || { echo "capture-nft-fixtures: needs root (network namespaces)" >&2; exit 1; }
command -v nft >/dev/null || { echo "capture-nft-fixtures: nft missing (apt-get install -y nftables)" >&2; exit 1; }
ipt_restore=$(command -v iptables-nft-restore || command -v iptables-restore || true)
ipt_save=$(command -v iptables-nft-save || command -v iptables-save || true)
[ -n "$ipt_restore" ] && [ -n "$ipt_save" ] || { echo "capture-nft-fixtures: iptables missing" >&2; exit 1; }

n() { ip netns exec "$ns" "$@"; }

ip netns add "$ns"
# Base chains and fwd statements need a device that exists in the namespace.
ip -n "$ns" link add v0 type veth peer name v1

mkdir -p "$out"

# Dumps the namespace's whole ruleset as a JSON/text pair, then empties it.
dump() {
  n nft -j list ruleset >"$out/$1.nft.json"
  # iptables-nft tables make nft warn on stderr ("managed by iptables-nft"); only stdout is the listing.
  n nft list ruleset >"$out/$1.nft" 2>/dev/null
  n nft flush ruleset
  echo "wrote $out/$1.nft.json and $1.nft"
}

# --- (a) native ruleset -------------------------------------------------------------------------
n nft -f - <<'EOF'
table inet plcap {
	set allowed_v4 {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/8, 192.168.1.1-192.168.1.20 }
	}

	set svc {
		type ipv4_addr . inet_proto . inet_service
		elements = { 10.96.0.1 . tcp . 443 }
	}

	set recent_dns {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 30m
	}

	map mark_by_iface {
		type ifname : mark
		elements = { "v0" : 0x00000001 }
	}

	map svc_vmap {
		type ipv4_addr . inet_service : verdict
		flags interval
		elements = { 10.96.0.0/16 . 80 : jump web, 10.97.0.1 . 1000-2000 : drop }
	}

	counter http_hits {
	}

	quota big_quota {
		over 100 mbytes
	}

	limit ten_per_sec {
		rate 10/second
	}

	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		ct state invalid counter drop
		ip saddr @allowed_v4 tcp dport { 22, 80, 443 } accept
		meta l4proto icmp icmp type echo-request limit rate 5/second burst 10 packets accept
		icmpv6 type { nd-neighbor-solicit, nd-router-advert } accept
		tcp flags syn / syn,ack ct state new limit rate over 100/second drop
		tcp dport 8080 counter name "http_hits" accept
		fib daddr type != local drop
		fib saddr . iif oif missing drop
		ip daddr . meta l4proto . th dport @svc accept
		udp dport 53 update @recent_dns { ip saddr timeout 1m } accept
		meta pkttype broadcast drop
		quota name "big_quota" drop
		limit name "ten_per_sec" accept
		log prefix "input drop: " level info flags all
		reject with icmpx admin-prohibited
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "v0" oifname != "v0" ct state new accept
		meta mark & 0x0000ff00 == 0x00000100 counter accept
		tcp dport 25 reject with tcp reset
		reject
	}

	chain nat_prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr 10.96.0.10 tcp dport 443 dnat ip to numgen random mod 2 map { 0 : 172.18.0.2, 1 : 172.18.0.3 }
		ip daddr . tcp dport vmap @svc_vmap
		tcp dport 80 redirect to :8080
		numgen inc mod 3 offset 1 vmap { 1 : jump web, 2 : goto web, 3 : return }
		meta l4proto tcp dnat ip to jhash ip saddr . tcp sport mod 2 seed 0xdeadbeef map { 0 : 10.1.0.1 . 80, 1 : 10.1.0.2 . 8080 }
	}

	chain nat_postrouting {
		type nat hook postrouting priority srcnat + 5; policy accept;
		oifname "v0" masquerade random,persistent
		ip saddr 192.168.0.0/24 meta l4proto tcp snat ip to 203.0.113.10-203.0.113.20:1024-65535
		ip6 saddr fd00::/8 tcp dport 80 snat ip6 to [2001:db8::1]:1024
		meta l4proto udp masquerade to :2000-3000
	}

	chain mangle_prerouting {
		type filter hook prerouting priority mangle; policy accept;
		meta mark set iifname map @mark_by_iface
		ct mark set meta mark
		meta mark set meta mark & 0xffff00ff | 0x00000100
		meta mark set jhash ip saddr mod 4 offset 1
		meta mark set symhash mod 2
		ip dscp set cs1
		ct zone set 2
	}

	chain raw_prerouting {
		type filter hook prerouting priority raw - 5; policy accept;
		udp dport 4789 notrack
		ip6 daddr ff02::/16 meta nftrace set 1
	}

	chain web {
		ip saddr 10.0.0.0/8 tcp dport 80 accept comment "pods to web"
		ip6 saddr != fe80::/64 ip6 hoplimit 1 drop
		ether saddr 02:42:ac:11:00:02 accept
		tcp option maxseg size 1000-1460 accept
		ct original ip saddr 10.0.0.1 accept
		ct expiration < 5m counter
		ip length > 1000 ip ttl != 64 accept
		socket transparent 1 accept
		meta skuid 0 accept
		meta cpu 1-3 accept
		exthdr hbh exists drop
		ip frag-off & 0x1fff != 0 drop
		ip id 0-100 drop
		ip checksum 0 drop
	}
}

table ip plcap4 {
	ct helper ftp-std {
		type "ftp" protocol tcp
		l3proto ip
	}

	chain output_nat {
		type nat hook output priority -100; policy accept;
		ip daddr 10.96.0.1 tcp dport 443 dnat to 172.18.0.2:6443
		ip daddr 10.96.0.2 dnat to 172.18.0.3
	}

	chain filter_out {
		type filter hook output priority security; policy accept;
		tcp dport 21 ct helper set "ftp-std"
		icmp type destination-unreachable icmp code port-unreachable accept
		reject with icmp host-unreachable
	}
}

table ip6 plcap6 {
	chain in {
		type filter hook input priority -150; policy accept;
		ip6 nexthdr tcp tcp dport 22 accept
		reject with icmpv6 admin-prohibited
		reject
	}
}

table netdev plcap_ingress {
	chain ingress {
		type filter hook ingress device "v0" priority filter + 10; policy accept;
		ether type arp accept
		vlan id 100 drop
		fwd to "v0"
	}
}

table bridge plcap_br {
	chain forward_br {
		type filter hook forward priority filter; policy accept;
		ether type ip ip saddr 10.0.0.1 accept
		ether daddr ff:ff:ff:ff:ff:ff drop
	}

	chain pre_br {
		type filter hook prerouting priority dstnat; policy accept;
	}
}

table arp plcap_arp {
	chain in {
		type filter hook input priority filter; policy accept;
		arp operation request accept
	}
}
EOF
# Flowtables need CONFIG_NF_FLOW_TABLE; not every kernel (or container VM) has it.
if n nft -f - 2>/dev/null <<'EOF'
table inet plcap {
	flowtable ft {
		hook ingress priority filter
		devices = { v0 }
	}

	chain forward {
		ip protocol { tcp, udp } flow add @ft
	}
}
EOF
then echo "flowtable loaded"; else echo "note: this kernel has no flowtable support; native-features has none" >&2; fi
dump native-features

# --- (b) the simulator's native semantics: priorities, numgen DNAT, masquerade, ct status, limits --
n nft -f - <<'EOF'
table inet sim {
	chain early_forward {
		type filter hook forward priority -200; policy accept;
		tcp dport 2222 drop
	}

	chain mangle_pre {
		type filter hook prerouting priority mangle; policy accept;
		iifname "v0" tcp dport 7000 meta mark set meta mark | 0x00000001
	}

	chain nat_pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr 10.96.0.10 tcp dport 80 dnat ip to numgen random mod 3 map { 0 : 10.1.0.1, 1 : 10.1.0.2, 2 : 10.1.0.3 }
		ip6 daddr fd00:96::10 tcp dport 80 dnat ip6 to [fd00:1::5]:8080
		ip daddr 10.96.0.11 tcp dport 80 dnat ip to 10.1.0.1:8080
	}

	chain nat_post {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.1.0.0/16 oifname "v0" masquerade
	}

	chain forward_filter {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ct status dnat accept
		tcp dport 22 accept
		udp dport 53 limit rate 10/second accept
		tcp dport 23 limit rate 1/second log prefix "telnet "
		tcp dport 23 reject with tcp reset
	}
}
EOF
dump sim-semantics

# --- syntax tour: datatypes and printing quirks of `nft list ruleset` ----------------------------
n nft -f - <<'EOF'
table inet tour {
	counter c1 {
	}

	chain jump_target {
		return
	}

	chain flag_tests {
		tcp flags & (syn | ack) == 0
		tcp flags syn,ack / syn,ack,fin
		ct state & (new | established) != 0
		tcp flags == syn
		tcp flags { syn, syn | ack }
		tcp flags & (fin | syn | rst | psh | ack | urg) == { fin, ack, psh | ack, fin | psh | ack }
		tcp flags syn
		tcp flags == 0xff
		ct state != established
		ct state { new, established }
		ct state & new == new
		ct status dnat,snat
		ct event set new,destroy
	}

	chain value_formats {
		reject with icmp port-unreachable
		reject with icmpx port-unreachable
		ip dscp 7
		ip dscp af21
		ip ecn ce
		ether type 0x1234
		meta protocol ip6
		meta protocol 0x1234
		ct mark 0x10
		ct mark set 0x10 counter
		meta iifgroup 0
		meta iifgroup 5
		meta iif 5
		meta oif "lo"
		meta priority 1:2
		socket mark 0x5
		meta time "2022-01-01 10:00:00"
		meta day "Monday"
		meta hour "10:00"-"12:00"
		meta l4proto 143
		ip protocol { 1, 6, 143 }
		udp dport { 1-1024, 2000 }
		icmp type 42
		ct expiration 1h30m
		meta mark 0x1-0x5
		ip saddr & 255.255.0.0 == 10.1.0.0
		meta mark set meta mark << 8
		meta mark set meta mark >> 8 & 0xff
		meta mark set ct mark ^ 0x10
		meta mark set numgen inc mod 2 map { 0 : 0x1, 1 : 0x2 }
		ct zone set meta mark map { 0x1 : 1, 0x2 : 2 }
		meta mark set ip saddr map { 1.1.1.1 : 0x1, * : 0x2 }
		iifname . oifname { "a" . "b" } accept
		ip saddr { 10.0.0.1 comment "one", 10.0.0.2 } accept
		ct label 127
	}

	chain header_fields {
		fib daddr oif "lo"
		fib saddr . iif oifname "lo"
		fib daddr . mark type local
		osf ttl loose name "Linux"
		rt ip nexthop 1.2.3.4
		rt mtu > 1400
		sctp chunk data exists
		sctp chunk init num-inbound-streams 1
		ip option rr exists
		ip option lsrr type 1
		frag more-fragments 1
		hbh nexthdr 6
		srh tag 1
		tcp option sack-perm exists
		tcp option sack0 left 1
		tcp option maxseg size set rt mtu
		@ll,0,48 0x112233445566 accept
		meta l4proto tcp ct reply proto-dst 80
		ct original ip6 saddr ::1
		igmp type membership-query
		esp spi 100
		ether saddr set 00:11:22:33:44:55
	}

	chain stmt_forms {
		tcp dport 80 tproxy ip to 1.2.3.4:80
		ip6 daddr ::1 tcp dport 80 tproxy ip6 to [::1]:80
		tcp dport 80 synproxy mss 1460 wscale 7 timestamp sack-perm
		meter m1 size 128 { ip saddr limit rate 10/second }
		ct count over 10
		quota over 10 mbytes used 1 kbytes
		limit rate 1 mbytes/second burst 500 kbytes
		limit rate over 1024 bytes/hour
		log flags tcp sequence,options
		log flags ip options flags skuid
		log level warn
		log group 2 prefix "x"
		ip saddr 1.1.1.1 counter name ip daddr map { 1.2.3.4 : "c1" }
		ip saddr vmap { 1.1.1.1 : accept, * : drop }
		meta l4proto vmap { tcp : jump jump_target, udp : goto jump_target }
	}
}

table ip tour4 {
	map m {
		type ipv4_addr : mark
		flags dynamic
	}

	chain dnat_pre {
		type nat hook prerouting priority dstnat - 10; policy accept;
		add @m { ip saddr : 0x1 }
		dnat to ip daddr map { 10.0.0.1 : 1.1.1.1, 10.0.0.2 : 2.2.2.2 }
		tcp dport 80 dnat to 1.2.3.4:80-90
		meta l4proto tcp dnat to tcp dport map { 80 : 1.1.1.1 . 8080, 81 : 2.2.2.2 . 8081 }
		tcp dport 8000-9000 redirect to :8080 random
		ip saddr 1.2.3.4 counter packets 5 bytes 10
		ip daddr 1.2.3.5 dup to 5.6.7.8 device "lo"
	}

	chain snat_post {
		type nat hook postrouting priority srcnat; policy accept;
		snat to 1.2.3.0/24
		oifname "eth0" snat to 10.0.0.1-10.0.0.5 fully-random,persistent
		ip protocol tcp snat to 1.1.1.1:1000-2000 persistent
	}
}

table ip6 tour6 {
	chain dnat6 {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 82 dnat to [2001:db8::3]-[2001:db8::5]:80
		reject with icmpv6 port-unreachable
	}
}

table bridge tour_br {
	chain out_br {
		type filter hook output priority out; policy accept;
		ether saddr . vlan id { 00:11:22:33:44:55 . 10 } accept
	}

	chain post_br {
		type filter hook postrouting priority srcnat + 3; policy accept;
		meta protocol arp accept
	}
}

table arp tour_arp {
	chain out_arp {
		type filter hook output priority filter; policy accept;
		arp operation reply arp saddr ip 10.0.0.1 accept
		arp daddr ether 00:11:22:33:44:55 drop
	}
}

table netdev tour_nd {
	chain in_nd {
		type filter hook ingress device "lo" priority -500; policy accept;
		reject with icmp port-unreachable
		ip daddr 1.2.3.4 dup to "lo"
	}
}
EOF
dump syntax-tour

# --- (b) iptables-nft: tables iptables manages, with xt compat statements and native translations --
"$ipt_restore" --version | grep -q nf_tables || { echo "capture-nft-fixtures: $ipt_restore is not the nf_tables backend" >&2; exit 1; }
n "$ipt_restore" <<'EOF'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp -m udp --dport 4789 -j CT --notrack
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i v0 -j MARK --set-xmark 0x100/0xff00
-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-EXAMPLE - [0:0]
:KUBE-SEP-ONE - [0:0]
:KUBE-SEP-TWO - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE --random-fully
-A POSTROUTING -s 192.168.50.0/24 -o v0 -j SNAT --to-source 203.0.113.5
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-EXAMPLE
-A KUBE-SVC-EXAMPLE -m comment --comment "default/web:http -> 10.244.1.5:8080" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-ONE
-A KUBE-SVC-EXAMPLE -m comment --comment "default/web:http -> 10.244.2.7:8080" -j KUBE-SEP-TWO
-A KUBE-SEP-ONE -s 10.244.1.5/32 -j MARK --set-xmark 0x4000/0x4000
-A KUBE-SEP-ONE -p tcp -m tcp -j DNAT --to-destination 10.244.1.5:8080
-A KUBE-SEP-TWO -p tcp -m tcp -j DNAT --to-destination 10.244.2.7:8080
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:LOGDROP - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 2222 -m recent --set --name ssh --rsource
-A INPUT -p icmp -m icmp --icmp-type 8 -m limit --limit 5/sec -j ACCEPT
-A INPUT -m addrtype --dst-type LOCAL -p udp -m udp --dport 53 -j ACCEPT
-A INPUT -s 10.0.0.0/8 -m comment --comment "pods" -j ACCEPT
-A INPUT -m mark --mark 0x4000/0x4000 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset
-A INPUT -j LOGDROP
-A FORWARD -i v0 ! -o v0 -j ACCEPT
-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT
-A LOGDROP -m limit --limit 1/min -j LOG --log-prefix "dropped: " --log-level 4
-A LOGDROP -j REJECT --reject-with icmp-host-prohibited
COMMIT
EOF
n "$ipt_save" >"$out/iptables-nft-compat.iptables-save"
echo "wrote $out/iptables-nft-compat.iptables-save"
dump iptables-nft-compat
