import type { ExecBytesResult } from '../netns/netns';
import { runBytes } from '../netns/netns';

/**
 * Runs a script on this machine the way a transport runs it on a host: `SHELL -s` with the script
 * on stdin. `prefix` runs the shell through another command, e.g. `ip netns exec NS`.
 */
export function runScript(
  script: string,
  opts: { shell?: string; prefix?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<ExecBytesResult> {
  const argv = [...(opts.prefix ?? []), opts.shell ?? 'sh', '-s'];
  return runBytes(argv[0]!, argv.slice(1), script, opts.env);
}
