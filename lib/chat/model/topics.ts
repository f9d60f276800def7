/** Picking the topic a prompt is about, by weighted keywords. */

import { MIN_TOPIC_SCORE, type Topic } from './corpus';

type Matcher = readonly (readonly [pattern: RegExp, weight: number])[];

const matchers = new WeakMap<Topic, Matcher>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// Keywords match as whole words, so "ai" does not fire inside "wait" and "sse" not inside "assess".
function matcherOf(topic: Topic): Matcher {
  let matcher = matchers.get(topic);
  if (!matcher) {
    matcher = Object.entries(topic.keywords).map(
      ([phrase, weight]) => [new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(phrase)}(?![\\p{L}\\p{N}])`, 'iu'), weight] as const,
    );
    matchers.set(topic, matcher);
  }
  return matcher;
}

/**
 * The topic whose keywords found in `text` weigh the most, or undefined when none reaches
 * {@link MIN_TOPIC_SCORE}. Ties go to the earlier topic.
 */
export function matchTopic(topics: readonly Topic[], text: string): Topic | undefined {
  let best: Topic | undefined;
  let bestScore = MIN_TOPIC_SCORE - 1;
  for (const topic of topics) {
    let score = 0;
    for (const [pattern, weight] of matcherOf(topic)) if (pattern.test(text)) score += weight;
    if (score > bestScore) {
      best = topic;
      bestScore = score;
    }
  }
  return best;
}
