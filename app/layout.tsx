import type { Metadata, Viewport } from 'next';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getTranslations } from 'next-intl/server';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { FaultInjectionProvider } from '@/components/fault-injection';
import { SiteHeader } from '@/components/site-header';
import { faultInjectionEnabled } from '@/lib/http/faults';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('meta');
  return {
    title: { default: 'SSE Lab', template: '%s · SSE Lab' },
    description: t('description'),
  };
}

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request, so the pages show the fault-injection setting of the running server,
  // not of the environment `next build` ran in.
  await connection();
  const locale = await getLocale();
  return (
    <html lang={locale === 'zh' ? 'zh-CN' : 'en'}>
      <body>
        <NextIntlClientProvider>
          <SiteHeader />
          <FaultInjectionProvider enabled={faultInjectionEnabled()}>
            <main>{children}</main>
          </FaultInjectionProvider>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
