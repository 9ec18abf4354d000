import { countText } from '@/lib/views/format';

/** A measured number as the warnings show it: whole numbers grouped, others to three decimals. */
export function valueText(n: number): string {
  if (Number.isInteger(n)) return countText(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
