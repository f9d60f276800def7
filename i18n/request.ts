import { cookies, headers } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { LOCALE_COOKIE, pickLocale } from './locale';

// No locale in the URL: the language is the reader's cookie, or on a first visit their browser's
// Accept-Language. Pages stay at one address in every language, so switching keeps the place.
export default getRequestConfig(async () => {
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  const locale = pickLocale(cookieStore.get(LOCALE_COOKIE)?.value, headerList.get('accept-language'));
  return {
    locale,
    messages: (await import(`../messages/${locale}.json`)).default,
  };
});
