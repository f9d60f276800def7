import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Playground } from '@/components/playground/playground';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('playground');
  return { title: t('title') };
}

export default async function PlaygroundPage() {
  const t = await getTranslations('playground');
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('lead')}</p>
      <Playground />
    </>
  );
}
