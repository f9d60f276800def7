/**
 * The link policy for rendered markdown: which targets may become an `href`, and which leave the app.
 */

/**
 * Returns `url` when it is http, https or relative, else `null`.
 *
 * Any colon before the first `/`, `?` or `#` makes what comes before it a scheme, and only `http`
 * and `https` pass. Checking it this way, instead of matching a well-formed scheme, also refuses
 * what a browser would clean up into a scheme: ` javascript:` (leading space) or `java\tscript:`
 * (browsers drop tabs and newlines in URLs).
 */
export function safeUrl(url: string): string | null {
  const colon = url.indexOf(':');
  if (colon === -1) return url;
  const path = url.search(/[/?#]/);
  if (path !== -1 && path < colon) return url;
  return /^https?$/i.test(url.slice(0, colon)) ? url : null;
}

/** Whether `url` leaves the app (absolute or protocol-relative), so its link opens in a new tab. */
export function isExternalUrl(url: string): boolean {
  return /^(?:[a-z][a-z\d+.-]*:|[/\\]{2})/i.test(url);
}
