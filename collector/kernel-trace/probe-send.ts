import { z } from 'zod';
import type { Probe } from '../../lib/kernel-trace/probe';
import { netnsRun } from '../netns/netns';

/**
 * Sends one probe from inside its namespace and says whether anything came back. TCP and UDP go
 * through this Node binary run in the namespace; ICMP needs a raw socket, which Node has not, so it
 * goes through perl with the Socket module of perl-base (Debian's essential perl, always there).
 * The source port (echo id) is fixed by the probe, so the probe can be found in the trace.
 */

export const ProbeOutcome = z.object({
  /**
   * `connected`: TCP handshake done; `answered`: a UDP answer or an echo reply; `refused`: a TCP RST
   * or an ICMP port unreachable; `unreachable`: another ICMP error; `timeout`: nothing came back.
   */
  outcome: z.enum(['connected', 'answered', 'refused', 'unreachable', 'timeout', 'error']),
  detail: z.string(),
  /** What the listener answered (its name), when it did. */
  answer: z.string().nullable(),
});
export type ProbeOutcome = z.infer<typeof ProbeOutcome>;

/** Whether a packet answering the probe reached the sender. */
export function probeReplied(o: ProbeOutcome): boolean {
  return o.outcome !== 'timeout' && o.outcome !== 'error';
}

const prelude = `
const done = (outcome, detail, answer = null) => {
  process.stdout.write(JSON.stringify({ outcome, detail, answer }) + '\\n');
  process.exit(0);
};
const failure = (e) =>
  e.code === 'ECONNREFUSED' ? 'refused' : ['EHOSTUNREACH', 'ENETUNREACH'].includes(e.code) ? 'unreachable' : 'error';
const [host, port, sport, src, timeout] = process.argv.slice(1);
`;

const tcpScript = `${prelude}
const net = require('node:net');
const start = Date.now();
const c = net.connect({ host, port: Number(port), localPort: Number(sport), localAddress: src || undefined });
const timer = setTimeout(() => { c.destroy(); done('timeout', 'no answer within ' + timeout + ' ms'); }, Number(timeout));
let data = '';
// Reset rather than close: no TIME_WAIT is left to block the same tuple later.
const finish = (detail) => { c.resetAndDestroy(); done('connected', detail, data.trim() || null); };
c.on('connect', () => {
  clearTimeout(timer);
  const after = 'connected after ' + (Date.now() - start) + ' ms';
  c.on('data', (d) => { data += d; if (data.includes('\\n')) finish(after); });
  setTimeout(() => finish(after + ', the listener did not answer'), 1000);
});
c.on('error', (e) => done(failure(e), e.code + ': ' + e.message));
`;

const udpScript = `${prelude}
const dgram = require('node:dgram');
const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
setTimeout(() => done('timeout', 'no answer within ' + timeout + ' ms'), Number(timeout));
s.on('error', (e) => done(failure(e), e.code + ': ' + e.message));
s.on('message', (m) => done('answered', 'answered', String(m).trim()));
s.bind({ port: Number(sport), address: src || undefined }, () =>
  s.connect(Number(port), host, (err) => (err ? done(failure(err), err.message) : s.send('packetlens probe'))),
);
`;

// Echo request with the probe's id; raw IPv4 sockets hand the IP header up, raw ICMPv6 ones do not.
const icmpScript = String.raw`
use strict; use Socket qw(:all);
my ($dst, $id, $src, $timeout) = @ARGV;
sub out { my ($o, $d) = @_; $d =~ s/["\\]//g; print qq({"outcome":"$o","detail":"$d","answer":null}\n); exit 0 }
my $v6 = index($dst, ':') >= 0;
socket(my $s, $v6 ? AF_INET6 : AF_INET, SOCK_RAW, $v6 ? 58 : 1) or out('error', "socket: $!");
my $addr = sub { $v6 ? pack_sockaddr_in6(0, inet_pton(AF_INET6, $_[0])) : pack_sockaddr_in(0, inet_aton($_[0])) };
if ($src ne '') { bind($s, $addr->($src)) or out('error', "bind $src: $!") }
my $pkt = pack('CCnnn', $v6 ? 128 : 8, 0, 0, $id, 1) . 'packetlens';
if (!$v6) {
  my $sum = 0; $sum += $_ for unpack('n*', $pkt);
  $sum = ($sum >> 16) + ($sum & 0xffff); $sum += $sum >> 16;
  substr($pkt, 2, 2) = pack('n', ~$sum & 0xffff);
}
send($s, $pkt, 0, $addr->($dst)) or out('error', "send: $!");
my $left = $timeout / 1000;
my $rin = ''; vec($rin, fileno($s), 1) = 1;
while ($left > 0) {
  my ($n, $rest) = select(my $r = $rin, undef, undef, $left);
  last if $n <= 0;
  $left = $rest;
  recv($s, my $buf, 2048, 0);
  my $icmp = $v6 ? $buf : substr($buf, (ord($buf) & 15) * 4);
  my ($t, $c, undef, $rid) = unpack('CCnn', $icmp);
  out('answered', 'echo reply') if $t == ($v6 ? 129 : 0) && $rid == $id;
  my $error = $v6 ? ($t >= 1 && $t <= 4) : ($t == 3 || $t == 11 || $t == 12);
  next unless $error;
  my $inner = $v6 ? substr($icmp, 48) : substr($icmp, 8 + (ord(substr($icmp, 8)) & 15) * 4);
  my ($it, undef, undef, $iid) = unpack('CCnn', $inner);
  out(($t == ($v6 ? 1 : 3) && $c == ($v6 ? 4 : 3)) ? 'refused' : 'unreachable', "icmp type $t code $c")
    if $it == ($v6 ? 128 : 8) && $iid == $id;
}
out('timeout', "no answer within $timeout ms");
`;

export interface ProbeSendOptions {
  /**
   * How long to wait for an answer (default 2500 ms: on a loaded machine a sender can be held that
   * long). A dropped TCP SYN is sent again after 1 s; kernelPath follows the first one only.
   */
  timeoutMs?: number;
}

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export async function probeSend(probe: Probe, opts: ProbeSendOptions = {}): Promise<ProbeOutcome> {
  const timeout = String(opts.timeoutMs ?? 2500);
  const src = probe.src ?? '';
  const argv =
    probe.proto === 'icmp' || probe.proto === 'icmpv6'
      ? ['perl', '-e', icmpScript, probe.dst, String(probe.sport), src, timeout]
      : [
          process.execPath,
          '-e',
          probe.proto === 'tcp' ? tcpScript : udpScript,
          probe.dst,
          String(probe.dport),
          String(probe.sport),
          src,
          timeout,
        ];
  const r = await netnsRun(probe.from, argv[0]!, argv.slice(1));
  const parsed = ProbeOutcome.safeParse(jsonOrNull(r.stdout.trim().split('\n').pop() ?? ''));
  if (r.code !== 0 || !parsed.success) {
    throw new Error(
      `probe from ${probe.from} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`,
    );
  }
  return parsed.data;
}
