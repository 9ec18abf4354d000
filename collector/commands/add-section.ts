import type { Snapshot } from '../../lib/model/snapshot';
import { ParseError } from '../../lib/parse/parse-error';
import { addInput, diagnostic } from '../../lib/snapshot/build';
import type { AllowedCommand } from './command-list';
import { commandLine } from './command-list';
import type { Section } from './parse-sections';

/** What became of one section: read into the snapshot, or why not. */
export type SectionOutcome = 'added' | 'empty' | 'missing' | 'failed' | 'unreadable' | 'absent';

/**
 * Reads one command's output into the snapshot through the same parsers `import` uses. A missing
 * tool, a failed command or an unparsable output becomes a diagnostic; the raw section stays with
 * the caller either way, so nothing the host said is lost.
 */
export function addSection(
  snap: Snapshot,
  section: Section | undefined,
  command: AllowedCommand,
): SectionOutcome {
  if (!section) return 'absent';
  const origin = commandLine(command);
  if (section.missing) {
    snap.diagnostics.push(
      diagnostic('info', `${command.argv[0]} is not installed on this host: nothing collected`, origin),
    );
    return 'missing';
  }
  if (section.exitCode !== 0) {
    snap.diagnostics.push(diagnostic('warning', failureMessage(section), origin));
    return 'failed';
  }
  // An empty ruleset or set list prints nothing at all: there is nothing to read.
  if (section.stdout.trim() === '') return 'empty';
  try {
    addInput(snap, { origin, text: section.stdout, family: command.family, stderr: section.stderr });
    return 'added';
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    snap.diagnostics.push(diagnostic('error', `${e.reason} (column ${e.column})`, e.file, e.line));
    return 'unreadable';
  }
}

/** `exited with 4: iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: ...` */
export function failureMessage(section: Section): string {
  const line = firstLine(section.stderr);
  return `exited with ${section.exitCode}${line ? `: ${line}` : ' and wrote nothing on stderr'}`;
}

export function firstLine(text: string): string {
  return text.trim().split('\n', 1)[0]?.trim() ?? '';
}
