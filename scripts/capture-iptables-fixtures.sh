#!/usr/bin/env bash
# Captures real iptables-save / ip6tables-save / nft -j output for the iptables parser's fixtures
# (lib/iptables/__fixtures__). Needs root.
#
# Network safety: every rule, link, ipset, CNI network and ufw run lives in throwaway network
# namespaces named plcap-ipt-<pid>-*, deleted on any exit (their x_tables and nf_tables rules,
# ipsets and links go with them). The root namespace's firewall, routes and links are never touched
# and nothing here sends a packet. Addresses come from 198.18.0.0/15 and fd00::/8 only.
# iptables-legacy's lock file is redirected into a private temp dir (XTABLES_LOCKFILE), and ufw only
# ever sees private copies of /etc/ufw, /lib/ufw and /etc/default/ufw, bind-mounted inside the
# mount namespace `ip netns exec` creates; the host's copies are checksummed before and after.
#
# Captures:
#   all-modules.{iptables,ip6tables}-save   fixture-inputs/all-modules.* (ipsets, then rules) restored
#                                           with iptables-restore -c, saved with iptables-save -c
#   legacy-backend.iptables-save            fixture-inputs/legacy-backend.* through
#                                           iptables-legacy-restore / iptables-legacy-save
#   both-backends.{nft,legacy}.iptables-save  one namespace with rules in both backends, saved by
#                                           each backend's save (+ .stderr: iptables-nft-save's warning)
#   cni-bridge-portmap.*                    the real bridge → portmap → firewall CNI plugins
#                                           (fixture-inputs/cni-bridge-portmap.*), node namespace dumps
#   ufw-basic.{iptables,ip6tables}-save     ufw 0.36 enabled with a few rules
#   VERSIONS.txt                            the tool and kernel versions of the capture
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/lib/iptables/__fixtures__
inputs=$root/scripts/fixture-inputs
prefix="plcap-ipt-$$"
cni_path=/usr/lib/cni
cni_id=plcapcapture0001
tmp=
namespaces=()
# Set while a CNI network is attached, so cleanup can run DEL before deleting the namespaces.
cni_attached=

log() { echo "capture-iptables-fixtures: $*" >&2; }
die() {
  log "$*"
  exit 1
}

cleanup() {
  local rc=$? ns left
  if [ -n "$cni_attached" ]; then cni_del || log "warning: CNI DEL failed during cleanup"; fi
  for ns in "${namespaces[@]}"; do
    if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" || log "warning: could not delete netns $ns"; fi
  done
  left=$(ip netns list | grep "^$prefix-" || true)
  if [ -n "$left" ]; then
    log "ERROR: namespaces left behind: $(echo "$left" | tr '\n' ' ')"
    rc=1
  fi
  if [ -n "$tmp" ] && [ -d "$tmp" ]; then rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for tool in ip ipset nft jq ufw sha256sum iptables-save iptables-restore ip6tables-save ip6tables-restore \
  iptables-nft-save iptables-nft-restore iptables-legacy-save iptables-legacy-restore; do
  command -v "$tool" >/dev/null || die "$tool missing"
done
for plugin in bridge portmap firewall host-local; do
  [ -x "$cni_path/$plugin" ] || die "$cni_path/$plugin missing (apt-get install -y containernetworking-plugins)"
done
# The all-modules, CNI and ufw fixtures are nf_tables dumps as `iptables-save` prints them.
case "$(iptables-save --version)" in *nf_tables*) ;; *)
  die "iptables-save is not the nf_tables backend here ($(iptables-save --version)); select iptables-nft" ;;
esac

tmp=$(mktemp -d "/tmp/$prefix.XXXXXX")
# iptables-legacy takes a lock file, /run/xtables.lock by default: keep even that off the host.
export XTABLES_LOCKFILE=$tmp/xtables.lock

# Creates a fresh namespace $prefix-$1 with only lo up, and records it for cleanup.
newns() {
  local ns="$prefix-$1"
  ip netns add "$ns"
  namespaces+=("$ns")
  ip netns exec "$ns" ip link set lo up
}
delns() {
  ip netns del "$prefix-$1"
}
in_ns() {
  local ns="$prefix-$1"
  shift
  ip netns exec "$ns" "$@"
}

# What the root namespace's firewall looks like, to show afterwards that nothing here touched it.
# Read-only: nft lists, and the legacy table names the kernel already has.
root_firewall_state() {
  {
    nft list ruleset 2>&1
    cat /proc/net/ip_tables_names /proc/net/ip6_tables_names 2>/dev/null || true
  } | sha256sum
}
root_before=$(root_firewall_state)
mkdir -p "$out"

# --- 1. every typed module and target ------------------------------------------------------------
capture_all_modules() {
  newns v4
  in_ns v4 ipset restore <"$inputs/all-modules.ipset"
  in_ns v4 iptables-restore -c <"$inputs/all-modules.iptables-restore"
  in_ns v4 iptables-save -c >"$out/all-modules.iptables-save"
  delns v4

  newns v6
  in_ns v6 ipset restore <"$inputs/all-modules.ipset"
  in_ns v6 ip6tables-restore -c <"$inputs/all-modules.ip6tables-restore"
  in_ns v6 ip6tables-save -c >"$out/all-modules.ip6tables-save"
  delns v6
  log "wrote all-modules.iptables-save, all-modules.ip6tables-save"
}

# --- 2. the legacy backend, alone and next to nf_tables ------------------------------------------
capture_backends() {
  newns legacy
  in_ns legacy iptables-legacy-restore -c <"$inputs/legacy-backend.iptables-restore"
  in_ns legacy iptables-legacy-save -c >"$out/legacy-backend.iptables-save"
  delns legacy

  newns both
  in_ns both iptables-nft-restore -c <"$inputs/both-backends.nft.iptables-restore"
  in_ns both iptables-legacy-restore -c <"$inputs/both-backends.legacy.iptables-restore"
  # iptables-nft-save 1.8.9 prints its "# Warning: iptables-legacy tables present" line on stderr,
  # after the dump: kept beside the dump, not mixed into it.
  in_ns both iptables-nft-save -c >"$out/both-backends.nft.iptables-save" 2>"$out/both-backends.nft.iptables-save.stderr"
  in_ns both iptables-legacy-save -c >"$out/both-backends.legacy.iptables-save"
  grep -q '^# Warning: iptables-legacy tables present' "$out/both-backends.nft.iptables-save.stderr" ||
    die "iptables-nft-save did not warn about the legacy tables"
  # Legacy tables are per network namespace: deleting it frees them.
  delns both
  log "wrote legacy-backend.iptables-save, both-backends.{nft,legacy}.iptables-save"
}

# --- 3. real CNI plugins: bridge → portmap → firewall --------------------------------------------
# Runs one plugin the way a container runtime (libcni) does: inside the node namespace, the
# network config on stdin, the CNI_* variables in the environment.
cni_exec() {
  local command=$1 plugin=$2 conf=$3
  ip netns exec "$prefix-node" env -i PATH="$PATH" XTABLES_LOCKFILE="$XTABLES_LOCKFILE" \
    CNI_COMMAND="$command" CNI_CONTAINERID="$cni_id" CNI_NETNS="/var/run/netns/$prefix-pod" \
    CNI_IFNAME=eth0 CNI_PATH="$cni_path" "$cni_path/$plugin" <"$conf"
}

# The config libcni hands plugin number $1 of the conflist: name and cniVersion from the list,
# runtimeConfig for the capabilities it declares, prevResult from the previous plugin (or, for DEL,
# the cached result of the whole ADD).
cni_plugin_conf() {
  local index=$1 prev=$2
  jq --argjson i "$index" --arg dataDir "$tmp/cni-ipam" \
    --slurpfile rt "$inputs/cni-bridge-portmap.runtime-config.json" --slurpfile prev "$prev" '
      .plugins[$i] as $p
      | {cniVersion, name} + $p
      | if .ipam then .ipam.dataDir = $dataDir else . end
      | if ($p.capabilities // {}) | length > 0
        then .runtimeConfig = ($rt[0] | with_entries(select(.key as $k | $p.capabilities[$k] == true)))
        else . end
      | if ($prev | length) > 0 then .prevResult = $prev[0] else . end
    ' "$inputs/cni-bridge-portmap.conflist"
}

cni_del() {
  local i n plugin
  # DEL gets the cached result of the whole ADD; none if the first ADD never finished.
  [ -e "$tmp/cni-result.json" ] || : >"$tmp/cni-result.json"
  n=$(jq '.plugins | length' "$inputs/cni-bridge-portmap.conflist")
  for ((i = n - 1; i >= 0; i--)); do
    plugin=$(jq -r ".plugins[$i].type" "$inputs/cni-bridge-portmap.conflist")
    cni_plugin_conf "$i" "$tmp/cni-result.json" >"$tmp/cni-del-$i.json"
    cni_exec DEL "$plugin" "$tmp/cni-del-$i.json" >/dev/null
  done
  cni_attached=
}

capture_cni() {
  local i n plugin prev=$tmp/cni-empty.json
  newns node
  newns pod
  : >"$prev"
  n=$(jq '.plugins | length' "$inputs/cni-bridge-portmap.conflist")
  for ((i = 0; i < n; i++)); do
    plugin=$(jq -r ".plugins[$i].type" "$inputs/cni-bridge-portmap.conflist")
    cni_plugin_conf "$i" "$prev" >"$tmp/cni-add-$i.json"
    cni_attached=1
    cni_exec ADD "$plugin" "$tmp/cni-add-$i.json" >"$tmp/cni-out-$i.json"
    prev=$tmp/cni-out-$i.json
    cp "$prev" "$tmp/cni-result.json"
  done
  # Each plugin's stdout, in chain order, keyed by plugin type.
  for ((i = 0; i < n; i++)); do
    jq -n --arg k "$(jq -r ".plugins[$i].type" "$inputs/cni-bridge-portmap.conflist")" \
      --slurpfile v "$tmp/cni-out-$i.json" '{($k): $v[0]}'
  done | jq -s 'add' >"$out/cni-bridge-portmap.result.json"
  in_ns node iptables-save -c >"$out/cni-bridge-portmap.iptables-save"
  in_ns node ip6tables-save -c >"$out/cni-bridge-portmap.ip6tables-save"
  in_ns node nft -j list ruleset >"$out/cni-bridge-portmap.nft.json"
  cni_del
  delns pod
  delns node
  log "wrote cni-bridge-portmap.{iptables-save,ip6tables-save,nft.json,result.json}"
}

# --- 4. ufw, confined to a namespace and private copies of its files ------------------------------
ufw_host_state() {
  {
    find /etc/ufw /usr/lib/ufw /etc/default/ufw -print0 | sort -z | xargs -0 ls -ld --time-style=+
    find /etc/ufw /usr/lib/ufw /etc/default/ufw -type f -print0 | sort -z | xargs -0 sha256sum
    ls -d /run/ufw.lock 2>&1 || true
  }
}

capture_ufw() {
  local before after ufw_rc=0
  before=$(ufw_host_state)
  mkdir -p "$tmp/ufw"
  cp -a /etc/ufw "$tmp/ufw/etc-ufw"
  cp -a /usr/lib/ufw "$tmp/ufw/lib-ufw"
  cp -a /etc/default/ufw "$tmp/ufw/default-ufw"
  newns ufw
  # `ip netns exec` runs the command in a new mount namespace (slave to the host's), so these mounts
  # vanish with it. tmpfs on /run first: ufw's lock file and libmount's state land there. -n: no
  # mtab/utab writes.
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash: the private copies' directory.
  in_ns ufw bash -c '
    set -euo pipefail
    mount -n -t tmpfs plcap-run /run
    mount -n --bind "$1/etc-ufw" /etc/ufw
    mount -n --bind "$1/lib-ufw" /lib/ufw
    mount -n --bind "$1/default-ufw" /etc/default/ufw
    ufw default deny incoming
    ufw allow 22/tcp
    ufw limit 2222/tcp
    ufw allow from 198.18.0.0/24 to any port 5432 proto tcp
    ufw route allow in on br0 out on eth0 from 198.18.64.0/24
    ufw --force enable
    ufw status verbose
  ' ufw-capture "$tmp/ufw" >&2 || ufw_rc=$?
  if [ "$ufw_rc" = 0 ]; then
    in_ns ufw iptables-save -c >"$out/ufw-basic.iptables-save"
    in_ns ufw ip6tables-save -c >"$out/ufw-basic.ip6tables-save"
  fi
  delns ufw
  # Checked whether or not ufw succeeded.
  after=$(ufw_host_state)
  if [ "$before" != "$after" ]; then
    log "FATAL: the host's ufw files changed during the capture:"
    diff <(echo "$before") <(echo "$after") >&2 || true
    exit 1
  fi
  [ "$ufw_rc" = 0 ] || die "ufw failed inside the namespace (exit $ufw_rc); host /etc/ufw unchanged"
  log "wrote ufw-basic.iptables-save, ufw-basic.ip6tables-save (host /etc/ufw unchanged)"
}

capture_all_modules
capture_backends
capture_cni
capture_ufw

{
  iptables --version
  iptables-legacy --version
  nft --version
  ipset --version | sed -n 1p
  ufw version | sed -n 1p
  echo "containernetworking-plugins $(dpkg-query -W -f '${Version}' containernetworking-plugins 2>/dev/null || echo unknown)"
  uname -r
} >"$out/VERSIONS.txt"

if [ "$(root_firewall_state)" != "$root_before" ]; then
  log "warning: the root namespace's firewall changed while this ran; every command here runs in a"
  log "plcap-ipt-$$-* namespace, so look for another process (e.g. a running lab)"
fi
log "wrote $out"
