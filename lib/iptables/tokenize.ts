/**
 * Splits one iptables-restore line into arguments the way iptables' own `add_param_to_argv` does:
 * spaces and tabs separate, a double quote opens a quoted part (possibly mid-token), a backslash
 * inside quotes escapes the next character, and a closing quote ends the argument.
 */
export interface Tokens {
  /** The arguments, unquoted. */
  args: string[];
  /** 0-based offset in the line where each argument starts, for error columns. */
  starts: number[];
}

export class TokenizeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function tokenizeLine(line: string, from = 0): Tokens {
  // Most lines hold no quote: split on blanks without building strings char by char.
  if (line.indexOf('"', from) < 0) return splitBlanks(line, from);
  return tokenizeQuoted(line, from);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function splitBlanks(line: string, from: number): Tokens {
  const args: string[] = [];
  const starts: number[] = [];
  const n = line.length;
  let i = from;
  while (i < n) {
    while (i < n && isBlank(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isBlank(line.charCodeAt(i))) i++;
    args.push(line.slice(start, i));
    starts.push(start);
  }
  return { args, starts };
}

function tokenizeQuoted(line: string, from: number): Tokens {
  const args: string[] = [];
  const starts: number[] = [];
  let buf = '';
  let inToken = false;
  let quoted = false;
  let quoteOpenAt = -1;
  let start = 0;
  const n = line.length;
  for (let i = from; i < n; i++) {
    const ch = line[i]!;
    if (quoteOpenAt >= 0) {
      if (ch === '\\') {
        if (i + 1 >= n) break;
        buf += line[++i];
      } else if (ch === '"') {
        quoteOpenAt = -1;
        // iptables ends the argument at the closing quote: `"a b"c` is two arguments.
        args.push(buf);
        starts.push(start);
        buf = '';
        inToken = false;
        quoted = false;
      } else {
        buf += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (!inToken) start = i;
      inToken = true;
      quoted = true;
      quoteOpenAt = i;
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      if (inToken && (buf.length > 0 || quoted)) {
        args.push(buf);
        starts.push(start);
      }
      buf = '';
      inToken = false;
      quoted = false;
      continue;
    }
    if (!inToken) start = i;
    inToken = true;
    buf += ch;
  }
  if (quoteOpenAt >= 0) throw new TokenizeError('unterminated quote: expected a closing "', quoteOpenAt);
  if (inToken && (buf.length > 0 || quoted)) {
    args.push(buf);
    starts.push(start);
  }
  return { args, starts };
}

const safeChars = /^[A-Za-z0-9_-]+$/;

/** Quotes a string argument as iptables-save's `xtables_save_string` does (comments, log prefixes). */
export function saveString(value: string): string {
  if (safeChars.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

const needsQuote = /[\s"'\\]|^$/;

/** Quotes an argument only when the restore tokenizer would otherwise split or mangle it. */
export function quoteArg(value: string): string {
  return needsQuote.test(value) ? saveString(value) : value;
}
