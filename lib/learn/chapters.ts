/**
 * The course's chapters in reading order, by URL slug. Their texts are in messages/*.json under
 * `learn.chapters.<slug>`; what each page shows (paragraphs, code, live widgets, demo links) is in
 * app/learn/[chapter]/content.tsx.
 */
export const CHAPTERS = [
  'what-is-sse',
  'why-sse',
  'use-cases',
  'project-layout',
  'eventsource',
  'custom-events',
  'fetch-streaming',
  'comparison',
  'server',
  'message-format',
  'frameworks',
  'production',
] as const;

/** One chapter's slug. */
export type Chapter = (typeof CHAPTERS)[number];

/** True when `slug` names a chapter. */
export function isChapter(slug: string): slug is Chapter {
  return (CHAPTERS as readonly string[]).includes(slug);
}

/** The chapters before and after `chapter`, where there are. */
export function neighbours(chapter: Chapter): { previous?: Chapter; next?: Chapter } {
  const index = CHAPTERS.indexOf(chapter);
  return { previous: CHAPTERS[index - 1], next: CHAPTERS[index + 1] };
}
