#!/usr/bin/env bash
# Captures real `nft -a monitor trace` output of the kernel-trace scenarios' probes for the unit
# tests of lib/kernel-trace (parser and kernel path). Needs root, nftables, iptables (both backends)
# and perl. Every packet stays inside throwaway pl-ktrace-<pid>-* namespaces that the capture builds
# and deletes; the root namespace is never touched.
#
# Writes lib/kernel-trace/__fixtures__/<scenario>.<probe>.json: the probe, its outcome, and for each
# namespace (named by its scenario role) the base chains of its ruleset and every monitor line.
# Arguments, when given, name the scenarios to capture again (unknown-rule for the rule added
# during a capture).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "capture-ktrace-fixtures: needs root (network namespaces)" >&2; exit 1; }
command -v nft >/dev/null || { echo "capture-ktrace-fixtures: nft missing (apt-get install -y nftables)" >&2; exit 1; }
command -v perl >/dev/null || { echo "capture-ktrace-fixtures: perl missing" >&2; exit 1; }
cd "$root"
exec node_modules/.bin/tsx collector/kernel-trace/capture-fixtures.ts "$@"
