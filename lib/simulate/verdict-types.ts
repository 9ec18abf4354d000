/** What evaluating one match (or a whole rule's matches) says about the packet. */
export type MatchResult =
  | boolean
  | { undecided: string }
  /** A random choice: the rule matches with probability `p` (statistic, nth). */
  | { fork: { p: number; choice: string } };

export function undecided(reason: string): MatchResult {
  return { undecided: reason };
}

/** How a matched rule (or a chain) hands control on. */
export type Effect =
  | { type: 'continue' }
  | { type: 'accept' | 'drop' | 'reject' | 'return' }
  | { type: 'jump' | 'goto'; chain: string }
  | { type: 'undecided'; reason: string };

export const continueEffect: Effect = { type: 'continue' };
export const acceptEffect: Effect = { type: 'accept' };
export const dropEffect: Effect = { type: 'drop' };
