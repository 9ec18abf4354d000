'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { testIds } from './test-ids';

// Views not built yet say honestly what they need (the simulator, the analyses).
const navLinks = [
  { href: '/', label: 'Fleet' },
  { href: '/import', label: 'Import' },
  { href: '/diff', label: 'Diff' },
  { href: '/nat', label: 'NAT' },
  { href: '/trace', label: 'Life of a packet' },
  { href: '/warnings', label: 'Warnings & growth' },
] as const;

export function AppNav() {
  const pathname = usePathname();
  const current = (href: string) => (href === '/' ? pathname === '/' : pathname.startsWith(href));
  return (
    <nav aria-label="Main" data-testid={testIds.appNav}>
      <ul className="app-nav">
        {navLinks.map((link) => (
          <li key={link.href}>
            <Link href={link.href} aria-current={current(link.href) ? 'page' : undefined}>
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
