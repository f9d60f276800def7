import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'SSE Lab', template: '%s · SSE Lab' },
  description: 'Server-Sent Events on Next.js: EventSource and fetch side by side, and a library to copy.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
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
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
