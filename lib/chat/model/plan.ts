/**
 * Planning an answer: from the conversation and the seed, the whole answer text, the web search to
 * show before it (if any) and where it fails (for `/error`). The seed only picks phrasing, order
 * and the tool call id; the facts come from the corpus.
 */

import type { ChatMessage } from '../protocol';
import { CORPUS, fill, type Corpus, type Source, type Topic } from './corpus';
import { asksFollowUp, asksLookUp, quotePrompt, searchQuery, wantsError, wantsLong, withoutCommands } from './prompt';
import { between, pick, shuffled, type Random } from './random';
import { renderCode, renderList, renderSection, renderSources } from './render';
import { estimateTokens } from './tokenizer';
import { matchTopic } from './topics';

// `/long` adds sections until it passes the target; the biggest section is far smaller than the
// gap to the completion cap, so a long answer still finishes with 'stop'.
const LONG_TARGET_TOKENS = 2400;
/** Topic titles the fallback answer suggests. */
const FALLBACK_SUGGESTIONS = 5;

/** A web search the model makes before answering. */
export interface Search {
  /** `call_` and 8 hex digits, from the seed. */
  id: string;
  query: string;
  results: readonly Source[];
}

/** What the model will say, decided before the first step goes out. */
export interface Plan {
  /** The whole answer, as Markdown. */
  answer: string;
  search: Search | undefined;
  /** How many tokens go out before the simulated failure; undefined when the answer completes. */
  failAfter: number | undefined;
}

/** Appends sections of other topics, in an order the seed picks, until the answer is long. */
function addLongSections(random: Random, topics: readonly Topic[], blocks: string[], skip: Topic | undefined): void {
  // No block starts or ends with a line break (the corpus checks its texts are trimmed), so the
  // joined answer has each block's tokens plus one "\n\n" token between blocks: counting each new
  // section alone gives the same total as recounting the whole answer, without the quadratic cost.
  let tokens = estimateTokens(blocks.join('\n\n'));
  for (const topic of shuffled(random, topics)) {
    if (tokens >= LONG_TARGET_TOKENS) return;
    if (topic !== skip) {
      const section = renderSection(random, topic, false);
      blocks.push(section);
      tokens += estimateTokens(section) + (blocks.length > 1 ? 1 : 0);
    }
  }
}

/**
 * Plans the answer to the last user message. The topic comes from that message's keywords; when
 * it has none but asks for more ("tell me more"), from the latest earlier user message that has
 * some. With no topic the answer is the fallback, which quotes the prompt and lists topics.
 *
 * @param random Draws in a fixed order, so the same seed gives the same plan.
 */
export function planAnswer(messages: readonly ChatMessage[], random: Random, corpus: Corpus = CORPUS): Plan {
  const { topics, replies } = corpus;
  const userTexts = messages.filter((message) => message.role === 'user').map((message) => message.content);
  const prompt = userTexts.at(-1) ?? '';
  const request = withoutCommands(prompt);
  const long = wantsLong(prompt);
  const fails = wantsError(prompt);

  let topic = matchTopic(topics, request);
  let followUp = false;
  if (!topic && asksFollowUp(request)) {
    for (const earlier of userTexts.slice(0, -1).reverse()) {
      topic = matchTopic(topics, withoutCommands(earlier));
      if (topic) {
        followUp = true;
        break;
      }
    }
  }

  // Drawn first, so a tool call's ID depends on the seed alone.
  const callId = `call_${Math.floor(random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0')}`;
  let search: Search | undefined;
  if (asksLookUp(request)) {
    const sources = topic?.sources ?? replies.fallback.sources;
    search = {
      id: callId,
      query: searchQuery(followUp ? '' : prompt, topic?.query ?? replies.fallback.query),
      results: sources.slice(0, random() < 0.5 ? 2 : 3),
    };
  }

  const blocks: string[] = [];
  if (!topic) {
    const { fallback } = replies;
    blocks.push(fill(pick(random, fallback.intros), 'quote', quotePrompt(prompt)));
    const titles = shuffled(random, topics).slice(0, FALLBACK_SUGGESTIONS);
    blocks.push(`${fallback.paragraph}\n\n${titles.map((t) => `- ${t.title}`).join('\n')}`);
    blocks.push(renderCode(fallback.code));
    if (long) {
      blocks.push(pick(random, replies.longPreambles));
      addLongSections(random, topics, blocks, undefined);
    }
  } else if (long) {
    blocks.push(pick(random, topic.intros), pick(random, replies.longPreambles), renderSection(random, topic, true));
    addLongSections(random, topics, blocks, topic);
  } else if (followUp) {
    blocks.push(
      fill(pick(random, replies.followUpIntros), 'subject', topic.subject),
      topic.deeper,
      renderList(random, topic.list),
      renderCode(topic.code),
    );
  } else {
    blocks.push(pick(random, topic.intros), ...topic.paragraphs, renderList(random, topic.list), renderCode(topic.code));
  }
  if (search) blocks.push(renderSources(search.results));
  blocks.push(pick(random, topic ? topic.outros : replies.fallback.outros));

  const answer = blocks.join('\n\n');
  const failAfter = fails ? Math.max(1, Math.floor(estimateTokens(answer) * between(random, 0.25, 0.6))) : undefined;
  return { answer, search, failAfter };
}
