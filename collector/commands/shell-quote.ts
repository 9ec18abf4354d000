/**
 * Quotes one value as a single POSIX shell word. Everything between single quotes is literal in
 * sh, bash, dash and busybox ash; a single quote itself is closed, escaped and reopened (`'\''`).
 * NUL cannot be passed to a command at all, so it is refused instead of silently cut.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Quotes each value and joins them into one command line. */
export function shellQuoteAll(values: readonly string[]): string {
  return values.map(shellQuote).join(' ');
}
