import type { Catch, Condition, Probability } from './flow-model';

/** A flow's catch in one line: `tcp from 10.0.0.0/8 to 172.30.0.41 port 80 in !br-0 type LOCAL`. */
export function catchText(c: Catch): string {
  const list = (xs: readonly Condition[]) => xs.map((x) => `${x.negate ? '!' : ''}${x.value}`).join(' and ');
  const parts: string[] = [];
  if (c.protocol.length) parts.push(list(c.protocol));
  if (c.source.length) parts.push(`from ${list(c.source)}`);
  if (c.sourcePorts.length) parts.push(`sport ${list(c.sourcePorts)}`);
  if (c.sourceType.length) parts.push(`from type ${list(c.sourceType)}`);
  if (c.destination.length) parts.push(`to ${list(c.destination)}`);
  if (c.destinationType.length) parts.push(`to type ${list(c.destinationType)}`);
  if (c.destinationPorts.length) parts.push(`port ${list(c.destinationPorts)}`);
  if (c.inInterface.length) parts.push(`in ${list(c.inInterface)}`);
  if (c.outInterface.length) parts.push(`out ${list(c.outInterface)}`);
  if (c.marks.length) parts.push(`mark ${list(c.marks)}`);
  parts.push(...c.other);
  return parts.length ? parts.join(' ') : 'everything';
}

/** `1/3 (0.3333333335)`; `chosen by ...` when no share applies. */
export function probabilityText(p: Probability | null, chosenBy: string | null = null): string {
  if (!p) return chosenBy ? `chosen by ${chosenBy}` : 'no share';
  const value = Number(p.value.toPrecision(10));
  return p.fraction === null || p.fraction === String(value) ? String(value) : `${p.fraction} (${value})`;
}
