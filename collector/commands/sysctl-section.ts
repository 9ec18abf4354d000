/**
 * Reads the script's sysctl section (`/proc/sys/PATH<TAB>VALUE` lines) into dotted names. As
 * `sysctl` itself does, a dot inside one path part (an interface like `eth0.100`) becomes `/`.
 */
export function parseSysctls(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0 || !line.startsWith('/proc/sys/')) continue;
    out[sysctlName(line.slice(0, tab))] = line.slice(tab + 1);
  }
  return out;
}

export function sysctlName(path: string): string {
  return path
    .slice('/proc/sys/'.length)
    .split('/')
    .map((part) => part.replaceAll('.', '/'))
    .join('.');
}
