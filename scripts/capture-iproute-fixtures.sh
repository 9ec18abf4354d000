#!/usr/bin/env bash
# Captures real `ip -j` and `ipset save` output for the parsers' fixtures (lib/iproute, lib/ipset).
# Needs root. Everything is built inside two throwaway network namespaces named plcap-ip-<pid>-*,
# deleted on any exit (their links, routes, rules, neighbours and ipsets go with them). The root
# namespace's links, routes and firewall are never touched. The script sends no traffic itself; what
# the kernel sends on its own (IPv6 neighbour discovery over the veth and vxlans) cannot leave the two
# namespaces, whose only links join each other.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ipdir=$root/lib/iproute/__fixtures__
setdir=$root/lib/ipset/__fixtures__
prefix="plcap-ip-$$"
node="$prefix-node"
peer="$prefix-peer"

cleanup() {
  local ns
  for ns in "$node" "$peer"; do
    if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" || echo "warning: could not delete netns $ns" >&2; fi
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

[ "$(id -u)" = 0 ] || { echo "capture-iproute-fixtures: needs root (network namespaces)" >&2; exit 1; }
command -v ipset >/dev/null || { echo "capture-iproute-fixtures: ipset missing (apt-get install -y ipset)" >&2; exit 1; }

n() { ip netns exec "$node" "$@"; }
p() { ip netns exec "$peer" "$@"; }

ip netns add "$node"
ip netns add "$peer"
n ip link set lo up
p ip link set lo up
# Keep DAD from racing the capture; one address below opts back in to show `tentative`.
n sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
# Forwarding makes the kernel add the subnet-router anycast routes to the v6 local table.
n sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1

# --- links ---------------------------------------------------------------------------------------
# veth between the namespaces: created inside them, so the root namespace never sees it.
n ip link add va address 02:70:6c:00:00:01 type veth peer name vb address 02:70:6c:00:00:02 netns "$peer"
n ip link property add dev va altname plcap-uplink
# veth with both ends in the node: iproute2 then names the peer instead of giving a netns id.
n ip link add vs0 address 02:70:6c:00:00:03 type veth peer name vs1 address 02:70:6c:00:00:04
n ip link add br0 address 02:70:6c:00:00:10 type bridge stp_state 0 nf_call_iptables 1
n ip link set vs0 master br0
n ip link set vs0 type bridge_slave hairpin on
n ip link add vx0 address 02:70:6c:00:00:20 type vxlan id 42 local 198.18.0.1 remote 198.18.0.2 dstport 4789 dev va
# A multicast-group vxlan, left down so it never joins the group.
n ip link add vx1 address 02:70:6c:00:00:21 type vxlan id 43 group 239.1.1.1 dstport 4789 dev va
n ip link add vx6 address 02:70:6c:00:00:22 type vxlan id 44 local fd00:1::1 remote fd00:1::2 dstport 4789 dev va
n ip link add link va name mv0 address 02:70:6c:00:00:30 type macvlan mode bridge
# Some kernels are built without dummy; ifb is the closest stand-in (a NOARP sink device).
if ! n ip link add stub0 address 02:70:6c:00:00:40 type dummy 2>/dev/null; then
  echo "capture-iproute-fixtures: no dummy support in this kernel; stub0 is an ifb device" >&2
  n ip link add stub0 address 02:70:6c:00:00:40 type ifb
fi
for dev in va vs0 vs1 br0 vx0 vx6 mv0 stub0; do n ip link set "$dev" up; done
p ip link set vb up

# --- addresses -----------------------------------------------------------------------------------
n ip addr add 198.18.0.1/30 dev va
n ip addr add fd00:1::1/64 dev va
p ip addr add 198.18.0.2/30 dev vb
p ip addr add fd00:1::2/64 dev vb
n ip addr add 198.18.1.1/24 dev br0
n ip addr add fd00:2::1/64 dev br0
n ip addr add 198.18.2.1/24 dev vx0
n ip addr add 198.18.10.1/24 dev stub0
n ip addr add 198.18.10.2/24 dev stub0 label stub0:svc
n ip addr add 198.18.20.1 peer 198.18.20.2/32 dev stub0
n ip addr add 198.18.30.1/24 dev stub0 valid_lft 3600 preferred_lft 1800
n ip addr add fd00:3::1/64 dev stub0 preferred_lft 0 noprefixroute
# On a link without carrier, DAD cannot finish: the address stays tentative.
n sysctl -qw net.ipv6.conf.vx1.accept_dad=1
n ip addr add fd00:4::1/64 dev vx1

# --- routes --------------------------------------------------------------------------------------
n ip route add default via 198.18.0.2 dev va
n ip route add 198.18.100.0/24 via 198.18.0.2 dev va proto static metric 100
n ip route add 198.18.50.1 via 198.18.0.2 dev va
n ip route add blackhole 198.18.101.0/24
n ip route add unreachable 198.18.102.0/24
n ip route add prohibit 198.18.103.0/24
n ip route add 198.18.104.0/24 nexthop via 198.18.0.2 dev va weight 1 nexthop via 198.18.10.254 dev stub0 weight 2
n ip route add 198.18.107.0/24 via 198.18.0.2 dev va mtu 1400
n ip route add 198.18.108.0/24 via 198.18.99.1 dev va onlink
n ip route add default via 198.18.0.2 dev va table 100
n ip route add 198.18.105.0/24 dev stub0 scope link src 198.18.10.1 table 100
n ip route add throw 198.18.106.0/24 table 100
n ip route add local 198.18.60.0/24 dev lo table 100
n ip route add 198.18.109.0/24 via 198.18.0.2 dev va table default
n ip -6 route add default via fd00:1::2 dev va
n ip -6 route add fd00:200::/64 via fd00:1::2 dev va metric 512
n ip -6 route add fd00:201::/64 via fd00:1::2 dev va pref high
n ip -6 route add fd00:206::1 via fd00:1::2 dev va
n ip -6 route add blackhole fd00:202::/64
n ip -6 route add unreachable fd00:203::/64
n ip -6 route add prohibit fd00:204::/64
n ip -6 route add fd00:205::/64 nexthop via fd00:1::2 dev va weight 1 nexthop via fd00:2::2 dev br0 weight 3
n ip -6 route add fd00:400::/64 from fd00:1::/64 via fd00:1::2 dev va
n ip -6 route add default via fd00:1::2 dev va table 100
p ip route add default via 198.18.0.1 dev vb
p ip -6 route add default via fd00:1::1 dev vb

# --- policy rules --------------------------------------------------------------------------------
n ip rule add priority 100 fwmark 0x100/0xff00 lookup 100
n ip rule add priority 110 fwmark 0x1 lookup 100
n ip rule add priority 200 from 198.18.0.0/30 to 198.18.104.0/24 lookup 100
n ip rule add priority 210 from 198.18.10.1 lookup 100
n ip rule add priority 300 iif va lookup main
n ip rule add priority 310 oif stub0 lookup 100
n ip rule add priority 350 not from 198.18.0.0/15 lookup 100
n ip rule add priority 400 from 198.18.40.0/24 goto 500
n ip rule add priority 450 nop
n ip rule add priority 500 lookup main suppress_prefixlength 0
n ip rule add priority 510 lookup main suppress_ifgroup 5
n ip rule add priority 600 ipproto tcp sport 1000 dport 80-90 lookup 100
n ip rule add priority 700 uidrange 1000-2000 lookup 100
n ip rule add priority 800 tos 0x10 lookup 100
n ip rule add priority 900 from 198.18.99.0/24 blackhole
n ip rule add priority 910 from 198.18.98.0/24 unreachable
n ip rule add priority 920 from 198.18.97.0/24 prohibit
n ip rule add priority 1000 l3mdev
n ip -6 rule add priority 100 fwmark 0x2/0xff lookup 100
n ip -6 rule add priority 200 from fd00:1::/64 lookup 100
n ip -6 rule add priority 210 from fd00:1::1 lookup 100
n ip -6 rule add priority 300 not to fd00:300::/64 lookup main

# --- neighbours ----------------------------------------------------------------------------------
n ip neigh add 198.18.0.9 lladdr 02:70:6c:00:01:09 dev va nud permanent
n ip neigh add 198.18.1.20 lladdr 02:70:6c:00:01:20 dev br0 nud stale
n ip neigh add 198.18.1.21 lladdr 02:70:6c:00:01:21 dev br0 nud reachable
n ip neigh add 198.18.0.10 lladdr 02:70:6c:00:01:10 dev va nud noarp
n ip -6 neigh add fd00:1::9 lladdr 02:70:6c:00:01:09 dev va nud permanent router
n ip -6 neigh add fd00:2::20 lladdr 02:70:6c:00:01:20 dev br0 nud permanent

# --- ipsets (per namespace: they vanish with it) -------------------------------------------------
n ipset create plcap-ip hash:ip family inet hashsize 1024 maxelem 65536 counters comment initval 0x1a2b3c4d
n ipset add plcap-ip 198.18.0.2 comment "peer b"
n ipset add plcap-ip 198.18.0.3 packets 10 bytes 840 comment "seeded counters"
n ipset create plcap-net hash:net comment initval 0x2b3c4d5e
n ipset add plcap-net 198.18.0.0/15 comment "benchmark range"
n ipset add plcap-net 198.18.5.0/24 nomatch comment "carve-out"
n ipset create plcap-ipport hash:ip,port counters initval 0x3c4d5e6f
n ipset add plcap-ipport 198.18.0.2,tcp:80
n ipset add plcap-ipport 198.18.0.2,udp:53
n ipset add plcap-ipport 198.18.0.3,icmp:echo-request
n ipset create plcap-ip6 hash:ip family inet6 timeout 600 initval 0x4d5e6f70
n ipset add plcap-ip6 fd00:1::2 timeout 300
n ipset create plcap-net6 hash:net family inet6 maxelem 1024 initval 0x5e6f7081
n ipset add plcap-net6 fd00::/8
n ipset create plcap-netiface hash:net,iface initval 0x6f708192
n ipset add plcap-netiface 198.18.0.0/16,va
n ipset create plcap-ports bitmap:port range 1024-2048
n ipset add plcap-ports 1080
n ipset create plcap-list list:set size 8
n ipset add plcap-list plcap-ip
n ipset add plcap-list plcap-net

# --- capture -------------------------------------------------------------------------------------
mkdir -p "$ipdir" "$setdir"
n ip -j -d link >"$ipdir/ip-link.json"
n ip -j addr >"$ipdir/ip-addr.json"
n ip -j route show table all >"$ipdir/ip-route.json"
n ip -6 -j route show table all >"$ipdir/ip6-route.json"
n ip -j rule >"$ipdir/ip-rule.json"
n ip -6 -j rule >"$ipdir/ip6-rule.json"
n ip -j neigh >"$ipdir/ip-neigh.json"
n ip -6 -j neigh >"$ipdir/ip6-neigh.json"
# The peer keeps only the default policy rules: files that do not say their family.
p ip -j rule >"$ipdir/peer-ip-rule.json"
p ip -6 -j rule >"$ipdir/peer-ip6-rule.json"
p ip -j -d link >"$ipdir/peer-ip-link.json"
n ipset save >"$setdir/ipset-save.txt"
{ ip -V; ipset -v | head -1; uname -r; } >"$ipdir/VERSIONS.txt"
cp "$ipdir/VERSIONS.txt" "$setdir/VERSIONS.txt"
echo "capture-iproute-fixtures: wrote $ipdir and $setdir"
