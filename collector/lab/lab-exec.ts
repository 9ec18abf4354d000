import { run } from '../netns/netns';

/** A lab step that failed, with the command and what it printed, so the message says what to fix. */
export class LabError extends Error {
  override name = 'LabError';
}

function commandText(cmd: string, args: readonly string[]): string {
  return [cmd, ...args]
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** Runs a command and returns its stdout; a non-zero exit throws a LabError with its stderr. */
export async function runOk(cmd: string, args: readonly string[], input?: string): Promise<string> {
  const result = await run(cmd, args, input);
  if (result.code !== 0) {
    const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join(' | ');
    throw new LabError(`${commandText(cmd, args)} failed (exit ${result.code}): ${said}`);
  }
  return result.stdout;
}

/** Runs a command inside a network namespace (`ip netns exec`). */
export function netnsOk(ns: string, cmd: string, args: readonly string[], input?: string): Promise<string> {
  return runOk('ip', ['netns', 'exec', ns, cmd, ...args], input);
}

/** `env -i` with only these variables, the way a runtime hands a CNI plugin its environment. */
export function envArgs(vars: Record<string, string>): string[] {
  return ['-i', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)];
}
