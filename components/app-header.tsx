import Link from 'next/link';
import { AppNav } from './app-nav';
import { testIds } from './test-ids';

export function AppHeader() {
  return (
    <header className="app-header" data-testid={testIds.appHeader}>
      <Link href="/" className="app-header__brand">
        packetlens
      </Link>
      <AppNav />
    </header>
  );
}
