import type { Client, ClientChannel } from 'ssh2';
import { StderrCollector } from './stderr-collector';
import type { ExecOptions, ExecResult } from './transport';
import { TransportError } from './transport';

/**
 * Runs one script over an authenticated connection. The script is the SSH exec request itself, as
 * `ssh host 'script'` sends it; nothing from the inventory is added to it. `lost` tells whether the
 * connection has gone, because a channel torn down with its connection looks like a normal close.
 */
export function sshExec(
  client: Client,
  host: string,
  script: string,
  opts: ExecOptions,
  lost: () => string | null,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let channel: ClientChannel | null = null;
    let settled = false;
    const fail = (error: TransportError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => {
      fail(new TransportError('timeout', host, `command did not finish within ${opts.timeoutMs} ms`));
      if (channel) channelStop(channel);
    }, opts.timeoutMs);

    const started = (err: Error | undefined, opened: ClientChannel) => {
      if (err) return fail(new TransportError('unreachable', host, `cannot start a command: ${err.message}`));
      channel = opened;
      if (settled) return channelStop(opened);
      const stdout: Buffer[] = [];
      const stderr = new StderrCollector();
      let code: number | null = null;
      let signal: string | null = null;
      let exited = false;
      opened.on('data', (d: Buffer) => stdout.push(d));
      opened.stderr.on('data', (d: Buffer) => stderr.add(d));
      opened.on('exit', (exitCode: number | null, exitSignal?: string) => {
        exited = true;
        code = exitCode;
        // ssh2 names signals `SIGTERM`; the protocol and the local transport say `TERM`.
        signal = exitSignal ? exitSignal.replace(/^SIG/, '') : null;
      });
      opened.on('close', () => {
        const gone = lost();
        if (!exited && gone) return fail(new TransportError('unreachable', host, `connection lost: ${gone}`));
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ stdout: Buffer.concat(stdout), stderr: stderr.text(), code, signal });
      });
      opened.end(opts.stdin);
    };
    try {
      client.exec(script, started);
    } catch (e) {
      fail(new TransportError('unreachable', host, `connection lost: ${(e as Error).message}`));
    }
  });
}

/** Asks the server to kill the command, then closes the channel whether or not it obeyed. */
function channelStop(channel: ClientChannel): void {
  channelSignal(channel, 'KILL');
  channel.close();
}

/** The parts of an ssh2 channel that sending a signal needs; not in ssh2's public API. */
interface ChannelInternals {
  outgoing?: { id?: unknown; state?: unknown };
  _client?: { _protocol?: { signal?: unknown } };
}

/**
 * Sends an RFC 4254 `signal` request. ssh2's `channel.signal()` sends nothing once stdin is closed,
 * and stdin is always closed here, though the protocol allows requests after EOF. OpenSSH does not
 * kill a command without a tty when its channel closes, so this is the only way to stop it; but it
 * refuses signals in root sessions, where a script has to bound itself (`timeout`) to be sure.
 */
function channelSignal(channel: ClientChannel, name: string): void {
  const { outgoing, _client } = channel as unknown as ChannelInternals;
  const protocol = _client?._protocol;
  const open = outgoing?.state === 'open' || outgoing?.state === 'eof';
  if (!open || typeof outgoing?.id !== 'number' || typeof protocol?.signal !== 'function') return;
  try {
    protocol.signal(outgoing.id, name);
  } catch {
    // the connection is going away; closing the channel is all that is left
  }
}
