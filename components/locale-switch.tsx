'use client';

import { useLocale, useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useTransition } from 'react';
import { LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE, LOCALES, type Locale } from '@/i18n/locale';

/**
 * Switches the language in place: it saves the choice in a cookie and re-renders the page on the
 * server. The URL does not change and `router.refresh()` keeps client state; the switch itself puts
 * the block the reader was looking at back where it was.
 */
// What the reader is looking at: the text blocks of the article (not a sidebar that sits beside
// it), else of the page; the same blocks in every language.
const BLOCKS = 'h1, h2, h3, p, pre, li, section, tr';

function blocks(): NodeListOf<Element> {
  const root = document.querySelector('main article') ?? document.querySelector('main') ?? document.body;
  return root.querySelectorAll(BLOCKS);
}

interface Place {
  index: number;
  top: number;
}

/**
 * The block the reader is on: the heading the URL's #fragment names while it is in view (they
 * came to read it), else the first block at or below the top of the viewport; and where it sits.
 */
function readPlace(): Place | undefined {
  const all = blocks();
  const named = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  const index = named ? Array.prototype.indexOf.call(all, named) : -1;
  if (named && index >= 0) {
    const box = named.getBoundingClientRect();
    if (box.bottom > 0 && box.top < window.innerHeight) return { index, top: box.top };
  }
  for (let index = 0; index < all.length; index++) {
    const box = all[index]!.getBoundingClientRect();
    if (box.bottom > 0) return { index, top: box.top };
  }
  return undefined;
}

/** Scrolls so that the same block sits where it did: other languages have other line counts. */
function restorePlace(place: Place): void {
  const block = blocks()[place.index];
  if (block) window.scrollBy(0, block.getBoundingClientRect().top - place.top);
}

/** How long after switching the reader's place is held against the page settling. */
const HOLD_MS = 1000;
/** What the reader does to move the page themselves, which ends the hold. */
const READER_INPUT = ['wheel', 'touchstart', 'keydown', 'pointerdown'] as const;

/** Remembers the reader's choice for a year, for every page of the site. */
function saveLocale(locale: Locale): void {
  document.cookie = `${LOCALE_COOKIE}=${locale}; path=/; max-age=${LOCALE_COOKIE_MAX_AGE}; samesite=lax`;
}

export function LocaleSwitch() {
  const t = useTranslations('localeSwitch');
  const current = useLocale();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const place = useRef<Place | undefined>(undefined);

  // The page has re-rendered in the new language: put the reader back on the same block, and hold
  // it there for the frames of the next second (widgets and late layout still move the page),
  // until the reader scrolls, types or touches the page themselves.
  useEffect(() => {
    const target = place.current;
    if (!target) return;
    place.current = undefined;
    const until = performance.now() + HOLD_MS;
    let frame = 0;
    const stop = () => {
      cancelAnimationFrame(frame);
      for (const type of READER_INPUT) window.removeEventListener(type, stop);
    };
    const hold = () => {
      restorePlace(target);
      if (performance.now() < until) frame = requestAnimationFrame(hold);
      else stop();
    };
    for (const type of READER_INPUT) window.addEventListener(type, stop, { passive: true });
    hold();
    return stop;
  }, [current]);

  function choose(locale: Locale) {
    if (locale === current) return;
    saveLocale(locale);
    place.current = readPlace();
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
