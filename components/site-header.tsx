import { getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { LocaleSwitch } from './locale-switch';
import './site.css';

/** The header of every page: the site's name, its sections, and the language switch. */
export async function SiteHeader() {
  const t = await getTranslations('header');
  return (
    <header className="site-header">
      <Link href="/" className="brand">
        SSE Lab
      </Link>
      <nav aria-label={t('navLabel')}>
        <Link href="/learn">{t('learn')}</Link>
        <Link href="/clock">{t('clock')}</Link>
        <Link href="/chat">{t('chat')}</Link>
        <Link href="/playground">{t('playground')}</Link>
        <Link href="/dashboard">{t('dashboard')}</Link>
      </nav>
      <LocaleSwitch />
    </header>
  );
}
