import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { WireFormats } from '@/components/formats/wire-formats';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('formats');
  return { title: t('metaTitle') };
}

const code = (chunks: ReactNode) => <code>{chunks}</code>;

export default async function FormatsPage() {
  const t = await getTranslations('formats');
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t.rich('lead', { code })}</p>
      <WireFormats />
    </>
  );
}
