import { testIds } from '../test-ids';

/**
 * Where a host's warning badges go once the analyses (issue 5) report them. Until then it says so
 * rather than showing a number nobody measured.
 */
export function WarningBadgesSlot({ warnings }: { warnings: null }) {
  if (warnings === null) {
    return (
      <span
        className="muted"
        data-testid={testIds.fleetWarningsSlot}
        title="Warnings need the analyses, which are not built yet"
      >
        needs analyses
      </span>
    );
  }
  return null;
}
