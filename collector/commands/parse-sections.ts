import { constants, gunzipSync } from 'node:zlib';
import { quoteForError } from '../../lib/parse/parse-error';
import { endTag, exitTag, framingTag, framingVersion, sectionNamePattern, sectionTag } from './framing';

/** One command's result as the host reported it. */
export interface Section {
  /** Position in the output, from 1. */
  id: number;
  /** `host:iptables-save`, `ns3:ip-addr`, `discover:proc-netns`, ... */
  name: string;
  /** UTF-8 decoded; bytes that are not UTF-8 become U+FFFD here and stay exact in `bytes`. */
  stdout: string;
  stderr: string;
  exitCode: number;
  /** The tool is not installed on the host: not a failure. */
  missing: boolean;
  /** The exact bytes, for storage (views into the decoded output, not copies). */
  bytes: { stdout: Uint8Array; stderr: Uint8Array };
}

export interface CollectOutput {
  /** The host had gzip and used it. */
  compressed: boolean;
  sections: readonly Section[];
  /** What the host printed before the framing (a login script's echo), kept as it was. */
  preamble: string;
}

/**
 * The collect output cannot be read: `truncated` when it is incomplete or its counts disagree,
 * `parse` when it is not collect output at all. Shaped like TransportError (`host: detail`).
 */
export class SectionsError extends Error {
  override readonly name = 'SectionsError';
  readonly detail: string;
  constructor(
    readonly kind: 'truncated' | 'parse',
    readonly host: string,
    /** What is wrong, without the host name or the `truncated output:` prefix. */
    readonly reason: string,
  ) {
    const detail = `${kind === 'truncated' ? 'truncated output: ' : ''}${reason}`;
    super(`${host}: ${detail}`);
    this.detail = detail;
  }
}

const nl = 0x0a;
const sectionRe = new RegExp(`^${sectionTag}(\\d+) (\\S+) (\\d+) (\\d+)$`);
const exitRe = new RegExp(`^${exitTag}(\\d+) (\\d+) ([01]) (\\d+) (\\d+)$`);
const endRe = new RegExp(`^${endTag}(\\d+)$`);
const framingRe = new RegExp(`^${framingTag}(\\d+) (gzip|plain)$`);

/** Reads the collect script's stdout (collector/commands/framing.ts) into its sections. */
export function parseSections(output: Uint8Array, host: string): CollectOutput {
  const buf = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  const start = findFramingLine(buf, host);
  const lineEnd = buf.indexOf(nl, start);
  if (lineEnd < 0) throw new SectionsError('truncated', host, 'it ends inside the framing line');
  const header = buf.toString('latin1', start, lineEnd);
  const m = framingRe.exec(header);
  if (!m) throw new SectionsError('parse', host, `bad framing line ${quoteForError(header)}`);
  if (Number(m[1]) !== framingVersion) {
    throw new SectionsError(
      'parse',
      host,
      `framing version ${m[1]} is not supported (expected ${framingVersion})`,
    );
  }
  const compressed = m[2] === 'gzip';
  const payload = buf.subarray(lineEnd + 1);
  const inner = compressed ? gunzip(payload, host) : payload;
  return { compressed, sections: readSections(inner, host), preamble: buf.toString('utf8', 0, start) };
}

function findFramingLine(buf: Buffer, host: string): number {
  for (let at = buf.indexOf(framingTag); at >= 0; at = buf.indexOf(framingTag, at + 1)) {
    if (at === 0 || buf[at - 1] === nl) return at;
  }
  const lastLine = buf.subarray(buf.lastIndexOf(nl) + 1).toString('latin1');
  if (buf.length === 0 || (lastLine !== '' && framingTag.startsWith(lastLine))) {
    throw new SectionsError('truncated', host, 'it ends before the framing line');
  }
  const first = buf.subarray(0, 200).toString('utf8').split('\n')[0] ?? '';
  throw new SectionsError(
    'parse',
    host,
    `no packetlens framing in the output, which starts ${quoteForError(first, 80)}`,
  );
}

function gunzip(payload: Buffer, host: string): Buffer {
  try {
    return gunzipSync(payload);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!message.includes('unexpected end of file')) {
      throw new SectionsError('parse', host, `the gzip stream is damaged (${message})`);
    }
  }
  // Decode what arrived so that the error says where the output stops.
  let partial: Buffer;
  try {
    partial = gunzipSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    throw new SectionsError('truncated', host, 'the gzip stream ends early');
  }
  try {
    readSections(partial, host);
  } catch (e) {
    if (e instanceof SectionsError) {
      throw new SectionsError('truncated', host, `the gzip stream ends early: ${e.reason}`);
    }
    throw e;
  }
  throw new SectionsError('truncated', host, 'the gzip stream ends early, in its checksum');
}

function readSections(buf: Buffer, host: string): Section[] {
  const sections: Section[] = [];
  const truncated = (reason: string) => new SectionsError('truncated', host, reason);
  const where = () => {
    const last = sections.at(-1);
    return last ? `after section ${last.id} (${last.name})` : 'before the first section';
  };
  let pos = 0;
  const readLine = (what: string): string => {
    const end = buf.indexOf(nl, pos);
    if (end < 0) throw truncated(`it ends inside ${what} ${where()}`);
    const line = buf.toString('latin1', pos, end);
    pos = end + 1;
    return line;
  };
  for (;;) {
    if (pos === buf.length) throw truncated(`no end marker ${where()}`);
    const line = readLine('a frame line');
    if (line.startsWith(endTag)) {
      const count = endRe.exec(line)?.[1];
      if (count === undefined || Number(count) !== sections.length) {
        throw truncated(
          `the end marker ${quoteForError(line)} does not match the ${sections.length} sections read`,
        );
      }
      return sections;
    }
    const head = sectionRe.exec(line);
    if (!head) throw truncated(`expected a section header ${where()}, found ${quoteForError(line)}`);
    const [id = '', name = '', outText = '', errText = ''] = head.slice(1);
    if (Number(id) !== sections.length + 1 || !sectionNamePattern.test(name)) {
      throw truncated(`unexpected section header ${quoteForError(line)} ${where()}`);
    }
    const label = `section ${id} (${name})`;
    const take = (count: number, stream: string): Buffer => {
      if (pos + count + 1 > buf.length) {
        throw truncated(`it ends inside ${label}: ${buf.length - pos} of ${count} ${stream} bytes arrived`);
      }
      const bytes = buf.subarray(pos, pos + count);
      if (buf[pos + count] !== nl) throw truncated(`${label}: its ${stream} is not ${count} bytes long`);
      pos += count + 1;
      return bytes;
    };
    const stdout = take(Number(outText), 'stdout');
    const stderr = take(Number(errText), 'stderr');
    const trailer = readLine(`the trailer of ${label}`);
    const tail = exitRe.exec(trailer);
    if (!tail) {
      throw truncated(`${label}: expected its exit trailer, found ${quoteForError(trailer)}`);
    }
    if (tail[1] !== id || tail[4] !== outText || tail[5] !== errText) {
      throw truncated(
        `${label}: the byte counts disagree (header ${outText}/${errText}, trailer ${tail[4]}/${tail[5]})`,
      );
    }
    sections.push({
      id: Number(id),
      name,
      stdout: stdout.toString('utf8'),
      stderr: stderr.toString('utf8'),
      exitCode: Number(tail[2]),
      missing: tail[3] === '1',
      bytes: { stdout, stderr },
    });
  }
}
