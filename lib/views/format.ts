/**
 * Numbers and times as the dashboard prints them, the same on the server and in the browser (no
 * locale or time zone of either leaks in, so hydration matches).
 */

const grouping = new Intl.NumberFormat('en-US');

export function countText(n: number | string): string {
  if (typeof n === 'string') return n.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return grouping.format(n);
}

/** `2026-11-23 14:35:41 UTC`. */
export function timeText(iso: string | null): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${countText(n)} ${n === 1 ? one : many}`;
}
