/** One problem in an inventory file, located as precisely as the YAML allows. */
export interface InventoryIssue {
  file: string;
  /** 1-based line and column in the YAML, or null when the problem has no place (an empty file). */
  line: number | null;
  column: number | null;
  /** The host and field, e.g. `hosts[1] (node-1): jump` or `defaults: port`; empty for the whole file. */
  where: string;
  reason: string;
}

export function inventoryIssueText(issue: InventoryIssue): string {
  const place = issue.line === null ? issue.file : `${issue.file}:${issue.line}:${issue.column}`;
  return issue.where ? `${place}: ${issue.where}: ${issue.reason}` : `${place}: ${issue.reason}`;
}

/**
 * A bad inventory. The message has one line per problem, each naming the file, the line and column,
 * the host and the field, so that every mistake in the file is reported in one run.
 */
export class InventoryError extends Error {
  override readonly name = 'InventoryError';
  constructor(readonly issues: readonly InventoryIssue[]) {
    super(issues.map(inventoryIssueText).join('\n'));
  }
}
