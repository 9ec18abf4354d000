/** The store keeps times as integer milliseconds since the epoch (UTC) and hands out ISO strings. */

export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** Milliseconds of an ISO 8601 time; throws naming `what` when the text is not a time. */
export function msOf(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`${what}: ${JSON.stringify(iso)} is not an ISO 8601 time`);
  return ms;
}

/** `90 s`, `15 min`, `2 h`: a duration for messages. */
export function durationText(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}
