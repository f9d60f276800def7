/**
 * Reading the user's prompt: the `/long` and `/error` commands, whether it asks for a look-up or
 * more on the previous subject, a search query made from it, and a safe quote of it.
 */

const COMMANDS = /\/(?:error|long)\b/gi;
const LONG = /\/long\b/i;
const ERROR = /\/error\b/i;
const LOOKUP = /\b(?:look(?:ing)?[ -]?up|lookup|search(?:ing)?|find|latest|docs|documentation)\b/i;
const FOLLOW_UP =
  /\b(?:tell me more|more|elaborate|expand|go on|continue|deeper|details?|examples?|why|how so|what else|explain|clarify|again)\b/i;
const QUERY_STOP_WORDS = new Set(
  (
    'a an the of on in to for about and or with me my i you your please can could would will ' +
    'look looking up lookup search searching find latest docs documentation tell what is are ' +
    'how do does some any current newest recent'
  ).split(' '),
);
const MAX_QUERY_WORDS = 8;
const EXCERPT_CHARS = 80;

/** The prompt without its `/long` and `/error` commands. */
export function withoutCommands(text: string): string {
  return text.replace(COMMANDS, ' ');
}

/** Whether the prompt asks for a long answer (`/long`). */
export function wantsLong(prompt: string): boolean {
  return LONG.test(prompt);
}

/** Whether the prompt asks for a failure mid-answer (`/error`). */
export function wantsError(prompt: string): boolean {
  return ERROR.test(prompt);
}

/** Whether the request (without commands) asks to look something up, which calls the web search. */
export function asksLookUp(request: string): boolean {
  return LOOKUP.test(request);
}

/** Whether the request (without commands) asks for more on what was said before. */
export function asksFollowUp(request: string): boolean {
  return FOLLOW_UP.test(request);
}

/**
 * A search-engine style query: the prompt's meaningful words (commands and filler words left out,
 * at most 8 words and 80 characters), or `fallback` when none are left.
 */
export function searchQuery(prompt: string, fallback: string): string {
  const words = withoutCommands(prompt)
    .split(/\s+/)
    .map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((word) => word !== '' && !QUERY_STOP_WORDS.has(word.toLowerCase()))
    .slice(0, MAX_QUERY_WORDS);
  if (words.length === 0) return fallback;
  return words.join(' ').slice(0, EXCERPT_CHARS);
}

/**
 * The prompt's first 80 characters as inline code, verbatim apart from collapsed whitespace. The
 * fence is one backtick longer than any run inside, as CommonMark requires, so HTML and backticks
 * in the prompt show up as text.
 */
export function quotePrompt(prompt: string): string {
  const flat = prompt.trim().replace(/\s+/g, ' ');
  if (flat === '') return 'an empty message';
  const chars = Array.from(flat);
  const excerpt = chars.slice(0, EXCERPT_CHARS).join('');
  const longestRun = Math.max(0, ...(excerpt.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = excerpt.startsWith('`') || excerpt.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${excerpt}${pad}${fence}${chars.length > EXCERPT_CHARS ? '…' : ''}`;
}
