import { getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { CHAPTERS, type Chapter } from '@/lib/learn/chapters';

/** The course's table of contents; the chapter being read is marked as the current page. */
export async function ChapterToc({ current }: { current?: Chapter }) {
  const t = await getTranslations('learn');
  return (
    <nav className="learn-toc" aria-label={t('toc')} data-testid="learn-toc">
      <h2>{t('toc')}</h2>
      <ol>
        {CHAPTERS.map((chapter) => (
          <li key={chapter}>
            <Link href={`/learn/${chapter}`} aria-current={chapter === current ? 'page' : undefined}>
              {t(`chapters.${chapter}.title`)}
            </Link>
          </li>
        ))}
      </ol>
    </nav>
  );
}
