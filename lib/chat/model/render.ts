/** Writing corpus blocks as the Markdown of an answer. */

import type { CodeBlock, ListBlock, Source, Topic } from './corpus';
import { shuffled, type Random } from './random';

/** A list block: its lead, a blank line, then the items (bullets shuffled by the seed, or numbered in order). */
export function renderList(random: Random, list: ListBlock): string {
  const items = list.ordered
    ? list.items.map((item, i) => `${i + 1}. ${item}`).join('\n')
    : shuffled(random, list.items)
        .map((item) => `- ${item}`)
        .join('\n');
  return `${list.lead}\n\n${items}`;
}

/** A code block: its lead, then the lines in a fenced `ts` block. */
export function renderCode(code: CodeBlock): string {
  return `${code.lead}\n\n\`\`\`ts\n${code.lines.join('\n')}\n\`\`\``;
}

/** The numbered list of sources a web search found, as links. */
export function renderSources(sources: readonly Source[]): string {
  return `Sources I checked:\n\n${sources.map((source, i) => `${i + 1}. [${source.title}](${source.url})`).join('\n')}`;
}

/** A topic as a section of a long answer: heading, prose (with the deeper paragraph if asked), list and code. */
export function renderSection(random: Random, topic: Topic, withDeeper: boolean): string {
  return [
    `## ${topic.title}`,
    ...topic.paragraphs,
    ...(withDeeper ? [topic.deeper] : []),
    renderList(random, topic.list),
    renderCode(topic.code),
  ].join('\n\n');
}
