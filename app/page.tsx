import { getTranslations } from 'next-intl/server';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { CHAPTERS } from '@/lib/learn/chapters';

// Where each row of the comparison is shown live. The texts are in messages/*.json under
// home.compare.rows, by the same keys.
const COMPARISON = [
  { key: 'method', href: '/chat' },
  { key: 'headers', href: '/chat' },
  { key: 'reconnect', href: '/clock' },
  { key: 'parsing', href: '/clock' },
  { key: 'support', href: '/clock' },
  { key: 'complexity', href: '/clock' },
  { key: 'control', href: '/clock' },
  { key: 'auth', href: '/chat' },
  { key: 'aiSdk', href: '/chat' },
  { key: 'connections', href: '/learn/comparison#connection-limit' },
  { key: 'buffering', href: '/learn/production#buffering' },
] as const;

const DEMOS = [
  { key: 'clock', href: '/clock' },
  { key: 'chat', href: '/chat' },
  { key: 'learn', href: '/learn' },
  { key: 'playground', href: '/playground' },
  { key: 'dashboard', href: '/dashboard' },
] as const;

const code = (chunks: ReactNode) => <code>{chunks}</code>;
const strong = (chunks: ReactNode) => <strong>{chunks}</strong>;

export default async function HomePage() {
  const t = await getTranslations('home');
  const chapters = await getTranslations('learn.chapters');
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t.rich('lead', { code })}</p>

      <h2>{t('course.title')}</h2>
      <p>{t('course.text')}</p>
      <ol className="home-course" data-testid="home-course">
        {CHAPTERS.map((chapter) => (
          <li key={chapter}>
            <Link href={`/learn/${chapter}`}>{chapters(`${chapter}.title`)}</Link>
          </li>
        ))}
      </ol>

      <h2>{t('choose.title')}</h2>
      <ul>
        <li>{t.rich('choose.sse', { strong })}</li>
        <li>{t.rich('choose.websocket', { strong })}</li>
        <li>{t.rich('choose.polling', { strong })}</li>
      </ul>

      <h2>{t('demos.title')}</h2>
      <div className="cards">
        {DEMOS.map((demo) => (
          <Link className="card" href={demo.href} key={demo.key}>
            <h3>{t(`demos.${demo.key}.title`)}</h3>
            <p>{t(`demos.${demo.key}.text`)}</p>
          </Link>
        ))}
      </div>

      <h2>{t('compare.title')}</h2>
      <p className="lead">{t('compare.lead')}</p>
      <div className="table-wrap">
        <table className="compare" data-testid="comparison">
          <thead>
            <tr>
              <th scope="col">{t('compare.aspect')}</th>
              <th scope="col">EventSource</th>
              <th scope="col">{t('compare.fetch')}</th>
              <th scope="col">{t('compare.see')}</th>
            </tr>
          </thead>
          <tbody>
            {COMPARISON.map((row) => (
              <tr key={row.key}>
                <th scope="row">{t.rich(`compare.rows.${row.key}.aspect`, { code })}</th>
                <td>{t.rich(`compare.rows.${row.key}.eventSource`, { code })}</td>
                <td>{t.rich(`compare.rows.${row.key}.fetch`, { code })}</td>
                <td>
                  <Link href={row.href}>{t(`compare.rows.${row.key}.link`)}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
