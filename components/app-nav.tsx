'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { testIds } from './test-ids';

// Only pages that exist are listed; later pages add themselves here.
const navLinks = [{ href: '/', label: 'Overview' }] as const;

export function AppNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" data-testid={testIds.appNav}>
      <ul className="app-nav">
        {navLinks.map((link) => (
          <li key={link.href}>
            <Link href={link.href} aria-current={pathname === link.href ? 'page' : undefined}>
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
