import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { CHAPTERS } from '@/lib/learn/chapters';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('learn');
  return { title: t('title') };
}

export default async function LearnPage() {
  const t = await getTranslations('learn');
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('lead')}</p>
      <ol className="learn-index" data-testid="learn-index">
        {CHAPTERS.map((chapter) => (
          <li key={chapter}>
            <Link href={`/learn/${chapter}`}>{t(`chapters.${chapter}.title`)}</Link>
            <p>{t(`chapters.${chapter}.summary`)}</p>
          </li>
        ))}
      </ol>
    </>
  );
}
