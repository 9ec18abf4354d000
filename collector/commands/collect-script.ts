import type { AllowedCommand } from './command-list';
import { defaultCniResultDirs, hostCommands, routingCommands, sysctlPaths } from './command-list';
import { endTag, exitTag, framingTag, framingVersion, sectionTag } from './framing';
import { shellQuoteAll } from './shell-quote';

/**
 * The one script the collector sends to a host: it runs the fixed allow-list (command-list.ts),
 * host first, then every network namespace it can find, and frames each command's stdout, stderr
 * and exit code as parse-sections.ts reads them. It only reads; it changes nothing on the host.
 *
 * Values from outside (the CNI directories) reach it only through shellQuoteAll. The host's own data
 * (namespace names, container ids, pids) stays in shell variables, always double-quoted.
 */

export interface CollectScriptOptions {
  /** Run every command with `sudo -n`, which fails instead of prompting for a password. */
  sudo?: boolean;
  /** Also find pods' network namespaces and read their links, addresses, routes and rules. */
  pods?: boolean;
  /** `auto` gzips the output when the host has gzip; `never` is for debugging and tests. */
  compress?: 'auto' | 'never';
  /** Append the sbin directories to PATH: a non-root login often lacks them. */
  searchSbin?: boolean;
  /** Directories of CNI results (libcni's cache by default) that name pods. */
  cniResultDirs?: readonly string[];
}

/**
 * The command to exec with the script on its stdin: it runs under sh whatever the login shell is
 * (the script text itself is POSIX sh, which fish, csh and zsh do not read the same way).
 */
export const collectCommand = 'sh -s';

export function collectScript(opts: CollectScriptOptions = {}): string {
  const body = [...hostBody()];
  if (opts.pods ?? true) body.push(...podsBody(opts.cniResultDirs ?? defaultCniResultDirs));
  return framedScript(body, opts);
}

function runLine(section: string, command: AllowedCommand): string {
  return `pl_run ${section} ${shellQuoteAll(command.argv)}`;
}

function hostBody(): string[] {
  return [...hostCommands.map((c) => runLine(`host:${c.key}`, c)), 'pl_capture host:sysctls pl_sysctls'];
}

function podsBody(cniDirs: readonly string[]): string[] {
  return [cniDirs.length > 0 ? `pl_cni ${shellQuoteAll(cniDirs)}` : ':', 'pl_pods'];
}

/**
 * Wraps body lines (calls of pl_run / pl_capture) in the framing: helpers first, then the body
 * inside pl_main, whose output is gzipped when the host can. Exported so that tests can frame
 * outputs of their own choosing; hosts only ever get collectScript().
 */
export function framedScript(body: readonly string[], opts: CollectScriptOptions = {}): string {
  const path = opts.searchSbin === false ? '' : 'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"\nexport PATH\n';
  const compress = (opts.compress ?? 'auto') === 'auto';
  return `# packetlens collector: reads only. Output format: collector/commands/framing.ts.
LC_ALL=C
export LC_ALL
${path}pl_sudo=${opts.sudo ? '1' : "''"}
${prelude}

${sysctlFunction()}

${podFunctions}

pl_main() {
${body.map((line) => `  ${line}`).join('\n')}
  printf '${endTag}%s\\n' "$pl_n"
}

if ${compress ? 'command -v gzip >/dev/null 2>&1' : 'false'}; then
  printf '${framingTag}${framingVersion} gzip\\n'
  pl_main | gzip -c -1
else
  printf '${framingTag}${framingVersion} plain\\n'
  pl_main
fi
`;
}

// Temp files keep each command's stdout and stderr apart and give their exact byte counts.
const prelude = String.raw`umask 077
pl_tmp=$(mktemp -d 2>/dev/null) || pl_tmp=
if [ -z "$pl_tmp" ]; then
  pl_tmp=$TMPDIR
  [ -n "$pl_tmp" ] || pl_tmp=/tmp
  pl_tmp=$pl_tmp/packetlens.$$
  mkdir -m 700 "$pl_tmp" || { echo 'packetlens: cannot create a temporary directory' >&2; exit 70; }
fi
trap 'rm -rf "$pl_tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
pl_n=0
pl_rc=0

# pl_priv COMMAND ARGS...: runs a command with sudo -n when asked (never prompting).
pl_priv() {
  if [ -n "$pl_sudo" ]; then sudo -n "$@"; else "$@"; fi
}

# pl_emit NAME EXIT MISSING: frames $pl_tmp/o (stdout) and $pl_tmp/e (stderr) as one section.
pl_emit() {
  pl_n=$((pl_n + 1))
  # Unquoted on purpose: splitting drops the padding some wc implementations print.
  # shellcheck disable=SC2046
  set -- "$1" "$2" "$3" $(wc -c <"$pl_tmp/o") $(wc -c <"$pl_tmp/e")
  printf '${sectionTag}%s %s %s %s\n' "$pl_n" "$1" "$4" "$5"
  cat "$pl_tmp/o"
  printf '\n'
  cat "$pl_tmp/e"
  printf '\n${exitTag}%s %s %s %s %s\n' "$pl_n" "$2" "$3" "$4" "$5"
}

# pl_run NAME TOOL ARGS...: runs an installed tool (with sudo -n when asked), or records it missing.
pl_run() {
  pl_name=$1
  shift
  pl_path=$(command -v "$1" 2>/dev/null) || pl_path=
  if [ -z "$pl_path" ]; then
    : >"$pl_tmp/o"
    : >"$pl_tmp/e"
    pl_rc=127
    pl_emit "$pl_name" 127 1
    return 0
  fi
  shift
  pl_priv "$pl_path" "$@" </dev/null >"$pl_tmp/o" 2>"$pl_tmp/e"
  pl_rc=$?
  pl_emit "$pl_name" "$pl_rc" 0
}

# pl_capture NAME FUNCTION ARGS...: frames what a shell function of this script prints.
pl_capture() {
  pl_name=$1
  shift
  "$@" </dev/null >"$pl_tmp/o" 2>"$pl_tmp/e"
  pl_rc=$?
  pl_emit "$pl_name" "$pl_rc" 0
}`;

// Read from /proc/sys: the sysctl tool is not always installed. Absent keys are left out.
function sysctlFunction(): string {
  return String.raw`pl_sysctls() {
  for pl_f in ${sysctlPaths.join(' ')}; do
    [ -r "$pl_f" ] || continue
    pl_v=$(cat "$pl_f") && printf '%s\t%s\n' "$pl_f" "$pl_v"
  done
  return 0
}`;
}

const podRead = routingCommands
  .map((c) => `  pl_run "$pl_k:${c.key}" "$@" ${shellQuoteAll(c.argv.slice(1))}`)
  .join('\n');

/*
 * Pods: every network namespace the host can see, each read once (by inode) and described by a
 * `nsN:meta` section. Which ones are this host's pods is decided in TypeScript (pod-discovery.ts):
 * in a lab on one machine every node sees every named namespace.
 */
const podFunctions = String.raw`# pl_ns_read KEY ENTER...: the routing commands inside a namespace; ENTER ends with the ip binary.
pl_ns_read() {
  pl_k=$1
  shift
${podRead}
}

# pl_inode PID PATH: the inode of a namespace, which tells namespaces apart.
pl_inode() {
  if [ -n "$1" ]; then
    pl_priv stat -L -c %i "/proc/$1/ns/net" </dev/null 2>/dev/null
  elif [ -n "$2" ]; then
    pl_priv stat -L -c %i "$2" </dev/null 2>/dev/null
  fi
  return 0
}

# pl_netns VIA INODE PID PATH REF [SKIP]: records one way a namespace was found; reads it the
# first time unless SKIP says why it cannot be a pod of this host.
pl_netns() {
  pl_ns=$((pl_ns + 1))
  pl_new=1
  if [ -n "$2" ]; then
    case $pl_seen in
      *" $2 "*) pl_new=0 ;;
      *) pl_seen="$pl_seen$2 " ;;
    esac
  fi
  [ -z "$6" ] || pl_new=0
  printf 'via=%s\ninode=%s\npid=%s\nref=%s\ncollected=%s\nskipped=%s\n' "$1" "$2" "$3" "$5" "$pl_new" "$6" >"$pl_tmp/o"
  : >"$pl_tmp/e"
  pl_emit "ns$pl_ns:meta" 0 0
  if [ -n "$4" ]; then
    printf '%s' "$4" >"$pl_tmp/o"
    pl_emit "ns$pl_ns:path" 0 0
  fi
  [ "$pl_new" = 1 ] || return 0
  if [ "$1" = named ]; then
    pl_ns_read "ns$pl_ns" ip netns exec "${'${4##*/}'}" "$pl_ip"
  elif [ -n "$3" ]; then
    pl_ns_read "ns$pl_ns" nsenter -t "$3" -n "$pl_ip"
  else
    pl_ns_read "ns$pl_ns" nsenter "--net=$4" "$pl_ip"
  fi
}

# pl_cni DIR...: CNI results name pods (K8S_POD_NAME) and their namespace.
pl_cni() {
  pl_c=0
  pl_dn=0
  for pl_d in "$@"; do
    pl_priv test -d "$pl_d" </dev/null 2>/dev/null || continue
    pl_dn=$((pl_dn + 1))
    pl_run "discover:cni-dir$pl_dn" ls -1 -- "$pl_d"
    [ "$pl_rc" = 0 ] || continue
    cp "$pl_tmp/o" "$pl_tmp/cni"
    while IFS= read -r pl_e; do
      [ -n "$pl_e" ] || continue
      [ "$pl_c" -lt 1000 ] || break
      pl_c=$((pl_c + 1))
      printf '%s/%s' "$pl_d" "$pl_e" >"$pl_tmp/o"
      : >"$pl_tmp/e"
      pl_emit "cni$pl_c:path" 0 0
      pl_run "cni$pl_c:result" cat -- "$pl_d/$pl_e"
    done <"$pl_tmp/cni"
  done
  return 0
}

pl_pods() {
  pl_ip=$(command -v ip 2>/dev/null) || return 0
  pl_run discover:host-netns stat -L -c '%i %n' /proc/self/ns/net /proc/1/ns/net
  pl_self=
  pl_init=
  while read -r pl_a pl_b; do
    case $pl_b in
      /proc/self/ns/net) pl_self=$pl_a ;;
      /proc/1/ns/net) pl_init=$pl_a ;;
    esac
  done <"$pl_tmp/o"
  # Neither the host itself nor the machine's root namespace is a pod of the host.
  pl_seen=" $pl_self $pl_init "
  pl_ns=0

  # Off the machine's root namespace (a lab node sees every node's namespaces), a named namespace
  # this host has no nsid for has no veth into it: it is listed but not read.
  pl_filter=0
  if [ -z "$pl_self" ] || [ "$pl_self" != "$pl_init" ]; then
    pl_run discover:netns-list-id ip netns list-id
    sed -n 's/^nsid -*[0-9]* (iproute2 netns name: \(.*\))$/\1/p' "$pl_tmp/o" >"$pl_tmp/linked"
    # Old iproute2 prints ids without names: then nothing can be ruled out here.
    if [ -s "$pl_tmp/linked" ] || ! grep -q '^nsid' "$pl_tmp/o"; then pl_filter=1; fi
  fi
  for pl_f in /var/run/netns/*; do
    [ -e "$pl_f" ] || continue
    pl_skip=
    if [ "$pl_filter" = 1 ] && ! grep -Fxq -- "${'${pl_f##*/}'}" "$pl_tmp/linked"; then pl_skip=no-nsid; fi
    pl_netns named "$(pl_inode '' "$pl_f")" '' "$pl_f" '' "$pl_skip"
  done

  pl_run discover:crictl-pods crictl pods -q
  if [ "$pl_rc" = 0 ]; then
    cp "$pl_tmp/o" "$pl_tmp/crictl"
    pl_j=0
    while read -r pl_id; do
      [ -n "$pl_id" ] || continue
      pl_j=$((pl_j + 1))
      pl_run "crictl$pl_j:inspectp" crictl inspectp "$pl_id"
      [ "$pl_rc" = 0 ] || continue
      pl_pid=$(sed -n 's/^[[:space:]]*"pid":[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$pl_tmp/o" | head -n 1)
      pl_p=$(sed -n 's/^[[:space:]]*"path":[[:space:]]*"\([^"]*\)".*/\1/p' "$pl_tmp/o" | grep -e '/netns/' -e '/ns/net$' | head -n 1)
      [ "$pl_pid" != 0 ] || pl_pid=
      pl_netns crictl "$(pl_inode "$pl_pid" "$pl_p")" "$pl_pid" "$pl_p" "crictl$pl_j"
    done <"$pl_tmp/crictl"
  fi

  pl_run discover:docker-ps docker ps -q
  if [ "$pl_rc" = 0 ] && [ -s "$pl_tmp/o" ]; then
    # Container ids are hex (anything else is dropped), split into one argument each.
    # shellcheck disable=SC2046
    pl_run discover:docker-inspect docker inspect $(grep -E '^[0-9a-f]+$' "$pl_tmp/o")
    sed -n 's/^[[:space:]]*"Pid":[[:space:]]*\([0-9][0-9]*\),*[[:space:]]*$/\1/p' "$pl_tmp/o" >"$pl_tmp/docker"
    while read -r pl_pid; do
      [ "$pl_pid" -gt 0 ] 2>/dev/null || continue
      pl_netns docker "$(pl_inode "$pl_pid" '')" "$pl_pid" '' ''
    done <"$pl_tmp/docker"
  fi

  # Namespaces no tool names (a runtime this script does not know): one process each.
  pl_run discover:proc-netns stat -L -c '%i %n' /proc/[0-9]*/ns/net
  cp "$pl_tmp/o" "$pl_tmp/proc"
  while read -r pl_a pl_b; do
    case $pl_seen in
      *" $pl_a "*) continue ;;
    esac
    pl_pid=${'${pl_b#/proc/}'}
    pl_pid=${'${pl_pid%/ns/net}'}
    pl_netns proc "$pl_a" "$pl_pid" '' ''
  done <"$pl_tmp/proc"
  return 0
}`;
