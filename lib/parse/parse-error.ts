/**
 * The one error every parser in lib/ throws on bad input. It names the file, the 1-based line and
 * column, and what was expected, like acorn's `Unexpected token (1:4)`.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
  }
}

/** Shortens untrusted text quoted inside an error message so that a 1 MB line stays a one-line error. */
export function quoteForError(text: string, max = 40): string {
  const printable = text.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return printable.length > max ? `'${printable.slice(0, max)}…'` : `'${printable}'`;
}
