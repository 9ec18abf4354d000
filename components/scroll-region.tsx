import type { ReactNode } from 'react';

/** A wide table or diagram that scrolls sideways; focusable so the keyboard can scroll it too. */
export function ScrollRegion({
  label,
  className = 'table-scroll',
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className} role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
