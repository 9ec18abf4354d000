import { counterFromDecimal } from '../model/common';
import type { IpSet, IpSetMember, IpSetOptions } from '../model/ipset';
import { ParseError, quoteForError } from '../parse/parse-error';

export interface ParseIpsetOptions {
  /** Named in every error. */
  file: string;
}

interface Token {
  text: string;
  /** 1-based column of its first character (the quote, for a quoted token). */
  column: number;
}

/**
 * Reads `ipset save` output: `create NAME TYPE options...` lines, each followed by its
 * `add NAME ELEMENT options...` lines, comments double-quoted. Blank lines and `#` lines are
 * skipped. Throws only ParseError, naming file, line and column.
 */
export function parseIpsetSave(text: string, opts: ParseIpsetOptions): IpSet[] {
  return new SaveParser(text, opts.file).parse();
}

const setTypeRe = /^(hash|bitmap|list):[a-z0-9]+(,[a-z0-9]+)*$/;
const digitsRe = /^\d{1,20}$/;

class SaveParser {
  private readonly sets = new Map<string, IpSet>();
  private lineNo = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  parse(): IpSet[] {
    const { text } = this;
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      const before = text.slice(0, nul);
      const line = before.split('\n').length;
      const column = nul - (before.lastIndexOf('\n') + 1) + 1;
      throw new ParseError(this.file, line, column, 'binary data: expected ipset save output');
    }
    let pos = 0;
    while (pos < text.length) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = text.length;
      this.lineNo++;
      let line = text.slice(pos, end);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.parseLine(line);
      pos = end + 1;
    }
    return [...this.sets.values()];
  }

  private fail(column: number, reason: string): never {
    throw new ParseError(this.file, this.lineNo, column, reason);
  }

  private tokenize(line: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    const n = line.length;
    while (i < n) {
      const c = line[i];
      if (c === ' ' || c === '\t') {
        i++;
        continue;
      }
      if (c === '"') {
        const close = line.indexOf('"', i + 1);
        if (close < 0) this.fail(i + 1, `unterminated quoted string: expected a closing '"'`);
        tokens.push({ text: line.slice(i + 1, close), column: i + 1 });
        i = close + 1;
        continue;
      }
      const start = i;
      while (i < n && line[i] !== ' ' && line[i] !== '\t') i++;
      tokens.push({ text: line.slice(start, i), column: start + 1 });
    }
    return tokens;
  }

  private parseLine(line: string): void {
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const tokens = this.tokenize(line);
    const [command, ...rest] = tokens;
    if (command!.text === 'create') return this.create(command!, rest);
    if (command!.text === 'add') return this.add(command!, rest);
    this.fail(command!.column, `unknown command ${quoteForError(command!.text)}: expected create or add`);
  }

  private create(command: Token, args: Token[]): void {
    const [name, type, ...rest] = args;
    if (!name) this.fail(command.column + command.text.length, 'expected a set name after create');
    if (!type) this.fail(name.column + name.text.length, `expected a set type after create ${name.text}`);
    const existing = this.sets.get(name.text);
    if (existing)
      this.fail(name.column, `set ${name.text} is created twice (first at line ${existing.line})`);
    if (!setTypeRe.test(type.text)) {
      this.fail(
        type.column,
        `bad set type ${quoteForError(type.text)}: expected e.g. hash:ip, hash:net,port, bitmap:port or list:set`,
      );
    }
    const options: IpSetOptions = {
      hashsize: null,
      maxelem: null,
      bucketsize: null,
      initval: null,
      timeout: null,
      counters: false,
      comment: false,
      skbinfo: false,
      forceadd: false,
      netmask: null,
      markmask: null,
      range: null,
      size: null,
      extra: [],
    };
    let family: IpSet['family'] = null;
    for (let i = 0; i < rest.length; i++) {
      const opt = rest[i]!;
      const value = (): Token => {
        const v = rest[++i];
        if (!v) this.fail(opt.column + opt.text.length, `expected a value after ${opt.text}`);
        return v;
      };
      switch (opt.text) {
        case 'family': {
          const v = value();
          if (v.text !== 'inet' && v.text !== 'inet6')
            this.fail(v.column, `bad family ${quoteForError(v.text)}: expected inet or inet6`);
          family = v.text;
          break;
        }
        case 'hashsize':
        case 'maxelem':
        case 'bucketsize':
        case 'size':
          options[opt.text] = this.number(value(), 1);
          break;
        case 'timeout':
        case 'netmask':
          options[opt.text] = this.number(value(), 0);
          break;
        case 'initval':
        case 'markmask':
        case 'range':
          options[opt.text] = value().text;
          break;
        case 'counters':
        case 'comment':
        case 'skbinfo':
        case 'forceadd':
          options[opt.text] = true;
          break;
        default:
          // A newer ipset option: keep it and what follows, since which tokens are its values is unknown.
          options.extra = rest.slice(i).map((t) => t.text);
          i = rest.length;
      }
    }
    this.sets.set(name.text, {
      name: name.text,
      type: type.text,
      family,
      line: this.lineNo,
      options,
      members: [],
    });
  }

  private add(command: Token, args: Token[]): void {
    const [name, element, ...rest] = args;
    if (!name) this.fail(command.column + command.text.length, 'expected a set name after add');
    const set = this.sets.get(name.text);
    if (!set)
      this.fail(
        name.column,
        `add to set ${quoteForError(name.text)} before its create line: expected create ${name.text} first`,
      );
    if (!element) this.fail(name.column + name.text.length, `expected an element after add ${name.text}`);
    const member: IpSetMember = {
      text: element.text,
      line: this.lineNo,
      timeout: null,
      nomatch: false,
      comment: null,
      packets: null,
      bytes: null,
      skbmark: null,
      skbprio: null,
      skbqueue: null,
      extra: [],
    };
    for (let i = 0; i < rest.length; i++) {
      const opt = rest[i]!;
      const value = (): Token => {
        const v = rest[++i];
        if (!v) this.fail(opt.column + opt.text.length, `expected a value after ${opt.text}`);
        return v;
      };
      switch (opt.text) {
        case 'timeout':
        case 'skbqueue':
          member[opt.text] = this.number(value(), 0);
          break;
        case 'packets':
        case 'bytes': {
          const v = value();
          if (!digitsRe.test(v.text))
            this.fail(
              v.column,
              `bad ${opt.text} counter ${quoteForError(v.text)}: expected a decimal number`,
            );
          member[opt.text] = counterFromDecimal(v.text);
          break;
        }
        case 'comment':
          member.comment = value().text;
          break;
        case 'skbmark':
        case 'skbprio':
          member[opt.text] = value().text;
          break;
        case 'nomatch':
          member.nomatch = true;
          break;
        default:
          member.extra = rest.slice(i).map((t) => t.text);
          i = rest.length;
      }
    }
    set.members.push(member);
  }

  private number(token: Token, min: number): number {
    const n = /^\d{1,10}$/.test(token.text) ? Number(token.text) : NaN;
    if (!(n >= min && n <= 0xffffffff)) {
      this.fail(
        token.column,
        `bad number ${quoteForError(token.text)}: expected an integer from ${min} to 4294967295`,
      );
    }
    return n;
  }
}
