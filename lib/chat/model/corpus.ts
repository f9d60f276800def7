/**
 * The simulated model's knowledge, read from the JSON files in `lib/chat/corpus/` (see the README
 * there): the topics it can talk about, the sources its web search returns, and the replies that
 * belong to no topic. The files are imported, not read from disk, so the bundler ships them with
 * the server code. They are checked once, when this module loads: a writer's mistake throws one
 * line naming the file and the field, which fails the unit tests and every chat request.
 */

import rawReplies from '../corpus/replies.json';
import rawSources from '../corpus/sources.json';
import rawTopics from '../corpus/topics.json';

/** A page the simulated web search returns and an answer cites. */
export interface Source {
  title: string;
  url: string;
  snippet: string;
}

/** A list block: a lead sentence, then the items, numbered or as bullets. */
export interface ListBlock {
  lead: string;
  /** Numbered in this order when true; bullets in an order the seed picks when false. */
  ordered: boolean;
  items: readonly string[];
}

/** A code block: a lead sentence, then TypeScript lines in a fenced block. */
export interface CodeBlock {
  lead: string;
  lines: readonly string[];
}

/** One subject the model knows about. */
export interface Topic {
  /** Heading of the topic's section in a long answer, and its name in the fallback's list. */
  title: string;
  /** How a sentence refers to the topic: "more on {subject}". */
  subject: string;
  /**
   * Phrases and their weight, matched case-insensitively as whole words; the topic with the
   * highest total answers if it reaches {@link MIN_TOPIC_SCORE}. Weight 1 marks words too common
   * to pick a topic on their own.
   */
  keywords: Readonly<Record<string, number>>;
  /** Search query when the prompt itself has no useful words. */
  query: string;
  /** Opening sentences; the seed picks one. */
  intros: readonly string[];
  paragraphs: readonly string[];
  /** Extra depth for follow-ups and long answers. */
  deeper: string;
  list: ListBlock;
  code: CodeBlock;
  /** Closing sentences; the seed picks one. */
  outros: readonly string[];
  /** What a web search on the topic finds, best first. */
  sources: readonly Source[];
}

/** Replies that belong to no topic. Templates hold `{subject}` or `{quote}` placeholders. */
export interface Replies {
  /** Opens a follow-up ("tell me more"); `{subject}` is the topic's subject. */
  followUpIntros: readonly string[];
  /** Announces a `/long` answer. */
  longPreambles: readonly string[];
  /** The answer when no topic matches. */
  fallback: {
    /** `{quote}` is the start of the prompt as inline code. */
    intros: readonly string[];
    /** Followed by a list of topic titles. */
    paragraph: string;
    code: CodeBlock;
    outros: readonly string[];
    /** Search query when the prompt has no useful words and no topic matched. */
    query: string;
    sources: readonly Source[];
  };
}

/** Everything the model knows. */
export interface Corpus {
  /** In order of precedence: when two topics match a prompt equally well, the earlier answers. */
  topics: readonly Topic[];
  replies: Replies;
}

/** The lowest keyword score that picks a topic. */
export const MIN_TOPIC_SCORE = 2;

const PLACEHOLDER = /\{(\w+)\}/g;

/** Thrown when a corpus file does not have the expected shape. */
export class CorpusError extends Error {
  override name = 'CorpusError';
}

function fail(where: string, expected: string): never {
  throw new CorpusError(`Corpus: ${where} must be ${expected}.`);
}

function objectAt(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'an object');
  return value as Record<string, unknown>;
}

function textAt(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(where, 'a non-empty string');
  // Answers are blocks joined by blank lines; a block that began or ended with a line break would
  // break that layout, and the planner's token count relies on it (see addLongSections).
  if (value !== value.trim()) fail(where, 'a string without spaces or line breaks at either end');
  return value;
}

function textsAt(value: unknown, where: string, { allowBlank = false } = {}): string[] {
  if (!Array.isArray(value) || value.length === 0) fail(where, 'a non-empty list of strings');
  return value.map((item, i) => {
    if (allowBlank && typeof item === 'string') return item;
    return textAt(item, `${where}[${i}]`);
  });
}

function templatesAt(value: unknown, where: string, placeholder: string): string[] {
  return textsAt(value, where).map((template, i) => {
    const names = [...template.matchAll(PLACEHOLDER)].map((match) => match[1]);
    if (names.length !== 1 || names[0] !== placeholder) fail(`${where}[${i}]`, `a sentence with {${placeholder}} once`);
    return template;
  });
}

function codeAt(value: unknown, where: string): CodeBlock {
  const code = objectAt(value, where);
  return { lead: textAt(code.lead, `${where}.lead`), lines: textsAt(code.lines, `${where}.lines`, { allowBlank: true }) };
}

function listAt(value: unknown, where: string): ListBlock {
  const list = objectAt(value, where);
  if (typeof list.ordered !== 'boolean') fail(`${where}.ordered`, 'true or false');
  return { lead: textAt(list.lead, `${where}.lead`), ordered: list.ordered, items: textsAt(list.items, `${where}.items`) };
}

function keywordsAt(value: unknown, where: string): Record<string, number> {
  const keywords = objectAt(value, where);
  const entries = Object.entries(keywords);
  if (entries.length === 0) fail(where, 'an object of at least one phrase');
  for (const [phrase, weight] of entries) {
    if (phrase.trim() === '') fail(`${where} phrases`, 'non-empty');
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 1) fail(`${where}["${phrase}"]`, 'a whole number of 1 or more');
  }
  return keywords as Record<string, number>;
}

function sourceRefsAt(value: unknown, where: string, library: ReadonlyMap<string, Source>): Source[] {
  return textsAt(value, where).map((id, i) => library.get(id) ?? fail(`${where}[${i}] ("${id}")`, 'the id of an entry of sources.json'));
}

/**
 * Checks the three corpus files and joins them into a {@link Corpus}, resolving source ids.
 *
 * @param files The parsed JSON of `topics.json`, `sources.json` and `replies.json`.
 * @throws CorpusError naming the first field that is missing or of the wrong kind.
 */
export function parseCorpus(files: { topics: unknown; sources: unknown; replies: unknown }): Corpus {
  const library = new Map<string, Source>();
  for (const [id, value] of Object.entries(objectAt(files.sources, 'sources.json'))) {
    const where = `sources.json "${id}"`;
    const source = objectAt(value, where);
    library.set(id, {
      title: textAt(source.title, `${where}.title`),
      url: textAt(source.url, `${where}.url`),
      snippet: textAt(source.snippet, `${where}.snippet`),
    });
  }

  if (!Array.isArray(files.topics) || files.topics.length === 0) fail('topics.json', 'a non-empty list of topics');
  const topics = files.topics.map((value: unknown, i): Topic => {
    const topic = objectAt(value, `topics.json[${i}]`);
    const where = `topics.json[${i}]${typeof topic.title === 'string' ? ` ("${topic.title}")` : ''}`;
    return {
      title: textAt(topic.title, `${where}.title`),
      subject: textAt(topic.subject, `${where}.subject`),
      keywords: keywordsAt(topic.keywords, `${where}.keywords`),
      query: textAt(topic.query, `${where}.query`),
      intros: textsAt(topic.intros, `${where}.intros`),
      paragraphs: textsAt(topic.paragraphs, `${where}.paragraphs`),
      deeper: textAt(topic.deeper, `${where}.deeper`),
      list: listAt(topic.list, `${where}.list`),
      code: codeAt(topic.code, `${where}.code`),
      outros: textsAt(topic.outros, `${where}.outros`),
      sources: sourceRefsAt(topic.sources, `${where}.sources`, library),
    };
  });

  const replies = objectAt(files.replies, 'replies.json');
  const fallback = objectAt(replies.fallback, 'replies.json fallback');
  return {
    topics,
    replies: {
      followUpIntros: templatesAt(replies.followUpIntros, 'replies.json followUpIntros', 'subject'),
      longPreambles: textsAt(replies.longPreambles, 'replies.json longPreambles'),
      fallback: {
        intros: templatesAt(fallback.intros, 'replies.json fallback.intros', 'quote'),
        paragraph: textAt(fallback.paragraph, 'replies.json fallback.paragraph'),
        code: codeAt(fallback.code, 'replies.json fallback.code'),
        outros: textsAt(fallback.outros, 'replies.json fallback.outros'),
        query: textAt(fallback.query, 'replies.json fallback.query'),
        sources: sourceRefsAt(fallback.sources, 'replies.json fallback.sources', library),
      },
    },
  };
}

/**
 * Puts `value` in place of the `{name}` placeholder of a template. The value goes in verbatim:
 * `$` patterns and braces in it are not interpreted.
 */
export function fill(template: string, name: string, value: string): string {
  return template.replace(PLACEHOLDER, (placeholder, found: string) => (found === name ? value : placeholder));
}

/** The corpus of `lib/chat/corpus/`, checked. */
export const CORPUS: Corpus = parseCorpus({ topics: rawTopics, sources: rawSources, replies: rawReplies });
