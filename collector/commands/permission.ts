import type { Section } from './parse-sections';

// iptables, nft and ip say it in their own words; sudo -n says a password would be needed.
const denied =
  /Permission denied|Operation not permitted|you must be root|a password is required|not in the sudoers/i;

/**
 * The sections that failed for lack of privileges, so that a caller can fail the host as
 * `permission` (run it with `sudo: true`) instead of storing a snapshot without its rules.
 */
export function deniedSections(sections: readonly Section[]): Section[] {
  // Pod discovery is best effort: some /proc entries stay unreadable even to root (other user
  // namespaces, a sandbox's init); what it could not see becomes a diagnostic, not a failure.
  return sections.filter(
    (s) => !s.name.startsWith('discover:') && !s.missing && s.exitCode !== 0 && denied.test(s.stderr),
  );
}
