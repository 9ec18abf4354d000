import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { AppHeader } from '@/components/app-header';
import { QueryProvider } from './_data/query-provider';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'packetlens', template: '%s · packetlens' },
  description:
    'What the Linux kernel will do with a packet on a real node: netfilter rules, NAT flows and routing.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <AppHeader />
        <main id="main" className="app-main">
          <QueryProvider>{children}</QueryProvider>
        </main>
      </body>
    </html>
  );
}
