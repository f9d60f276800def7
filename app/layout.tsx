import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { FaultInjectionProvider } from '@/components/fault-injection';
import { faultInjectionEnabled } from '@/lib/http/faults';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'SSE Lab', template: '%s · SSE Lab' },
  description: 'Server-Sent Events on Next.js: EventSource and fetch side by side, and a library to copy.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request, so the pages show the fault-injection setting of the running server,
  // not of the environment `next build` ran in.
  await connection();
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            SSE Lab
          </Link>
          <nav aria-label="Demos">
            <Link href="/clock">Clock</Link>
            <Link href="/chat">Chat</Link>
            <Link href="/formats">Wire formats</Link>
          </nav>
        </header>
        <FaultInjectionProvider enabled={faultInjectionEnabled()}>
          <main>{children}</main>
        </FaultInjectionProvider>
      </body>
    </html>
  );
}
