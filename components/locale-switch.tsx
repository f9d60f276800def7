'use client';

import { useLocale, useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE, LOCALES, type Locale } from '@/i18n/locale';

/**
 * Switches the language in place: it saves the choice in a cookie and re-renders the page on the
 * server. The URL does not change and `router.refresh()` keeps client state and the scroll
 * position, so the reader stays where they were.
 */
/** Remembers the reader's choice for a year, for every page of the site. */
function saveLocale(locale: Locale): void {
  document.cookie = `${LOCALE_COOKIE}=${locale}; path=/; max-age=${LOCALE_COOKIE_MAX_AGE}; samesite=lax`;
}

export function LocaleSwitch() {
  const t = useTranslations('localeSwitch');
  const current = useLocale();
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  function choose(locale: Locale) {
    if (locale === current) return;
    saveLocale(locale);
    startTransition(() => router.refresh());
  }

  return (
    <div className="locale-switch" role="group" aria-label={t('label')} aria-busy={pending} data-testid="locale-switch">
      {LOCALES.map((locale) => (
        <button
          key={locale}
          type="button"
          lang={locale}
          aria-pressed={locale === current}
          onClick={() => choose(locale)}
          data-testid={`locale-${locale}`}
        >
          {t(locale)}
        </button>
      ))}
    </div>
  );
}
