import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { ChapterToc } from '@/components/learn/chapter-toc';
import { LiveWidget } from '@/components/learn/live-widget';
import { CHAPTERS, isChapter, neighbours } from '@/lib/learn/chapters';
import { CONTENT } from '@/lib/learn/content';
import { SNIPPETS } from '@/lib/learn/snippets';

interface Props {
  params: Promise<{ chapter: string }>;
}

export function generateStaticParams() {
  return CHAPTERS.map((chapter) => ({ chapter }));
}

export const dynamicParams = false;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { chapter } = await params;
  if (!isChapter(chapter)) return {};
  const t = await getTranslations(`learn.chapters.${chapter}`);
  return { title: t('title'), description: t('summary') };
}

const code = (chunks: ReactNode) => <code>{chunks}</code>;

export default async function ChapterPage({ params }: Props) {
  const { chapter } = await params;
  if (!isChapter(chapter)) notFound();
  const t = await getTranslations('learn');
  const body = (key: string) => t.rich(`chapters.${chapter}.body.${key}`, { code });
  const text = (key: string) => t(`chapters.${chapter}.body.${key}`);
  const { previous, next } = neighbours(chapter);

  return (
    <div className="learn">
      <ChapterToc current={chapter} />
      <article className="learn-article" data-testid="chapter" data-chapter={chapter}>
        <p className="status">{t('chapterOf', { n: CHAPTERS.indexOf(chapter) + 1, total: CHAPTERS.length })}</p>
        <h1>{t(`chapters.${chapter}.title`)}</h1>
        <p className="lead">{t(`chapters.${chapter}.summary`)}</p>
        {CONTENT[chapter].map((block, index) => {
          switch (block.kind) {
            case 'p':
              return <p key={index}>{body(block.key)}</p>;
            case 'h':
              return (
                <h2 key={index} id={block.id}>
                  {text(block.key)}
                </h2>
              );
            case 'code':
              return (
                <figure key={index}>
                  {block.caption && <figcaption className="code-caption">{text(block.caption)}</figcaption>}
                  <pre tabIndex={0} aria-label={block.caption ? text(block.caption) : t('codeLabel')}>
                    <code>{SNIPPETS[block.snippet]}</code>
                  </pre>
                </figure>
              );
            case 'pair':
              return (
                <div className="side-by-side" key={index}>
                  {(
                    [
                      [block.left, block.leftCaption],
                      [block.right, block.rightCaption],
                    ] as const
                  ).map(([snippet, caption]) => (
                    <figure key={snippet}>
                      <figcaption className="code-caption">{text(caption)}</figcaption>
                      <pre tabIndex={0} aria-label={text(caption)}>
                        <code>{SNIPPETS[snippet]}</code>
                      </pre>
                    </figure>
                  ))}
                </div>
              );
            case 'widget':
              return <LiveWidget key={index} widget={block.widget} />;
            case 'demo':
              return (
                <p className="see-demo" key={index}>
                  {t('seeIt')}: <Link href={block.href}>{text(block.key)}</Link>
                </p>
              );
          }
        })}
        <nav className="learn-nav" aria-label={t('pager')}>
          {previous ? (
            <Link href={`/learn/${previous}`} rel="prev" data-testid="chapter-previous">
              ← {t('previous')}: {t(`chapters.${previous}.title`)}
            </Link>
          ) : (
            <span />
          )}
          {next && (
            <Link href={`/learn/${next}`} rel="next" data-testid="chapter-next">
              {t('next')}: {t(`chapters.${next}.title`)} →
            </Link>
          )}
        </nav>
      </article>
    </div>
  );
}
