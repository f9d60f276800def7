/** The languages the site is written in; the first is the fallback. */
export const LOCALES = ['en', 'zh'] as const;

/** One of {@link LOCALES}. */
export type Locale = (typeof LOCALES)[number];

/** The cookie that holds the reader's choice of language, set by the switch in the header. */
export const LOCALE_COOKIE = 'NEXT_LOCALE';

/** How long the choice is kept: a year. */
export const LOCALE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365;

/** True when `value` names a language the site has. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * The language to answer in: the reader's saved choice when there is one, else the first language
 * of `Accept-Language` the site has (any `zh*` tag is Chinese), else English. Tags are taken in
 * the order of their `q` weights, highest first, as RFC 9110 section 12.5.4 has it.
 */
export function pickLocale(cookie: string | undefined, acceptLanguage: string | null | undefined): Locale {
  if (isLocale(cookie)) return cookie;
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag.trim().toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((range) => range.tag !== '' && range.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { tag } of ranges) {
    const primary = tag.split('-')[0];
    if (primary === 'zh') return 'zh';
    if (primary === 'en') return 'en';
  }
  return 'en';
}
