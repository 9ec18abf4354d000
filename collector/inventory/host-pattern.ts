/**
 * OpenSSH host pattern lists (ssh_config(5) PATTERNS, match.c): comma-separated patterns where `*`
 * matches any run of characters and `?` one character, compared without case. A `!` pattern that
 * matches excludes the name whatever else matches.
 */
export function hostPatternListMatch(name: string, patternList: string): boolean {
  let positive = false;
  for (const raw of patternList.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (pattern === '' || !hostPatternMatch(name, pattern)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

export function hostPatternMatch(name: string, pattern: string): boolean {
  const source = [...pattern.toLowerCase()]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(name.toLowerCase());
}
