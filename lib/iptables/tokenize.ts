/**
 * Reads one iptables-restore line argument by argument the way iptables' own `add_param_to_argv`
 * does: spaces and tabs separate, a double quote opens a quoted part (possibly mid-argument), a
 * backslash inside quotes escapes the next character, and a closing quote ends the argument.
 */
export class TokenizeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;

export class LineScanner {
  /** Offset of the next character to read. */
  pos: number;
  /** Offset where the argument last returned by `next` starts, for error columns. */
  start = 0;

  /**
   * Reads `text` from `from` up to `end`. A parser passes the whole file and a line's bounds, so
   * that no line string is made: arguments are slices of the file itself.
   */
  constructor(
    readonly text: string,
    from = 0,
    readonly end = text.length,
    /** Where the line starts, for 1-based columns: `offset - lineStart + 1`. */
    readonly lineStart = 0,
  ) {
    this.pos = from;
  }

  private skipBlanks(): void {
    const { text, end } = this;
    let i = this.pos;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c !== SPACE && c !== TAB) break;
      i++;
    }
    this.pos = i;
  }

  /** True when the next argument is a lone `!`. */
  peekBang(): boolean {
    this.skipBlanks();
    const { text, pos } = this;
    if (pos >= this.end || text.charCodeAt(pos) !== 33) return false;
    if (pos + 1 >= this.end) return true;
    const after = text.charCodeAt(pos + 1);
    return after === SPACE || after === TAB;
  }

  atEnd(): boolean {
    this.skipBlanks();
    return this.pos >= this.end;
  }

  /** The next argument, unquoted; undefined at the end of the line. */
  next(): string | undefined {
    this.skipBlanks();
    const { text: line } = this;
    const n = this.end;
    let i = this.pos;
    if (i >= n) return undefined;
    this.start = i;
    let c = line.charCodeAt(i);
    while (i < n && c !== SPACE && c !== TAB && c !== QUOTE) c = line.charCodeAt(++i);
    if (i >= n || c !== QUOTE) {
      this.pos = i;
      return line.slice(this.start, i);
    }
    // A quoted part: it may follow unquoted characters, and its closing quote ends the argument.
    let out = line.slice(this.start, i);
    const open = i++;
    let from = i;
    for (;;) {
      if (i >= n) throw new TokenizeError('unterminated quote: expected a closing "', open);
      c = line.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        out += line.slice(from, i);
        if (i + 1 >= n) throw new TokenizeError('unterminated quote: expected a closing "', open);
        from = i + 1;
        i += 2;
        continue;
      }
      i++;
    }
    out += line.slice(from, i);
    this.pos = i + 1;
    return out;
  }
}

/** All arguments of a line (for callers that want them at once). */
export function tokenizeLine(line: string, from = 0): string[] {
  const scanner = new LineScanner(line, from);
  const args: string[] = [];
  for (let a = scanner.next(); a !== undefined; a = scanner.next()) args.push(a);
  return args;
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
