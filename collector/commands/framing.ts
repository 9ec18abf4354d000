/**
 * The framing of the collect script's output, which parse-sections.ts reads back. Content is
 * length-prefixed, so nothing a command prints can be mistaken for a frame, and every count is
 * repeated after the content, so a short or garbled transfer cannot parse as a complete one:
 *
 *   @@packetlens-framing 1 gzip|plain\n      uncompressed; the rest is gzip when it says so
 *   then once per section, ID counting up from 1:
 *   @@packetlens-section ID NAME OUT ERR\n   NAME matches sectionNamePattern; OUT, ERR byte counts
 *   <OUT bytes of stdout>\n
 *   <ERR bytes of stderr>\n
 *   @@packetlens-exit ID EXIT MISSING OUT ERR\n   MISSING is 1 when the tool is not installed
 *   and last:
 *   @@packetlens-end COUNT\n                 COUNT sections came before it
 *
 * Anything a login script prints before the framing line is skipped.
 */
export const framingVersion = 1;

export const framingTag = '@@packetlens-framing ';
export const sectionTag = '@@packetlens-section ';
export const exitTag = '@@packetlens-exit ';
export const endTag = '@@packetlens-end ';

export const sectionNamePattern = /^[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)*$/;
