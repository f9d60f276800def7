import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { ClockDemo } from '@/components/clock/clock-demo';

const code = (chunks: ReactNode) => <code>{chunks}</code>;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('clockPage');
  return { title: t('title') };
}

export default async function ClockPage() {
  const t = await getTranslations('clockPage');
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t.rich('lead', { code })}</p>
      <ClockDemo url="/api/clock" />
    </>
  );
}
