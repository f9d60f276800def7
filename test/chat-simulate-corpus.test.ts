import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import replies from '../lib/chat/corpus/replies.json';
import sources from '../lib/chat/corpus/sources.json';
import topics from '../lib/chat/corpus/topics.json';
import { CORPUS, CorpusError, fill, parseCorpus } from '../lib/chat/model/corpus';
import { planAnswer } from '../lib/chat/model/plan';
import { renderCode, renderList, renderSection } from '../lib/chat/model/render';
import { estimateTokens } from '../lib/chat/model/tokenizer';
import { seededRandom } from '../lib/seeded-random';

type Files = { topics: unknown[]; sources: Record<string, unknown>; replies: Record<string, unknown> };

/** A fresh copy of the shipped corpus files, to break or extend one field at a time. */
function files(): Files & { topics: Record<string, unknown>[] } {
  return structuredClone({ topics, sources, replies });
}

function rejects(change: (corpus: ReturnType<typeof files>) => void, message: string): void {
  const corpus = files();
  change(corpus);
  assert.throws(() => parseCorpus(corpus), (error: unknown) => {
    assert.ok(error instanceof CorpusError);
    assert.equal(error.message, message);
    return true;
  });
}

describe('the corpus', () => {
  test('loads every topic of topics.json, in order, with its sources resolved from sources.json', () => {
    assert.deepEqual(
      CORPUS.topics.map((topic) => topic.title),
      topics.map((topic) => topic.title),
    );
    const library = sources as Record<string, unknown>;
    CORPUS.topics.forEach((topic, i) => {
      assert.deepEqual(topic.sources, topics[i]?.sources.map((id) => library[id]));
    });
  });

  test('names the file and the field a writer got wrong', () => {
    rejects((c) => delete c.topics[3]?.intros, 'Corpus: topics.json[3] ("SSE, WebSocket or polling").intros must be a non-empty list of strings.');
    rejects((c) => Object.assign(c.topics[0] ?? {}, { outros: [] }), 'Corpus: topics.json[0] ("What Server-Sent Events are").outros must be a non-empty list of strings.');
    rejects((c) => Object.assign(c.topics[1] ?? {}, { sources: ['spec-sse', 'no-such-page'] }), 'Corpus: topics.json[1] ("The event stream format").sources[1] ("no-such-page") must be the id of an entry of sources.json.');
    rejects((c) => Object.assign(c.topics[2] ?? {}, { keywords: { fetch: 0 } }), 'Corpus: topics.json[2] ("EventSource or fetch streaming").keywords["fetch"] must be a whole number of 1 or more.');
    rejects((c) => Object.assign(c.topics[0] ?? {}, { list: { lead: 'Items:', items: ['one'] } }), 'Corpus: topics.json[0] ("What Server-Sent Events are").list.ordered must be true or false.');
    rejects((c) => Object.assign(c.sources, { extra: { title: 'A page', url: 'https://example.com/' } }), 'Corpus: sources.json "extra".snippet must be a non-empty string.');
    rejects((c) => Object.assign(c.replies, { followUpIntros: ['More on that.'] }), 'Corpus: replies.json followUpIntros[0] must be a sentence with {subject} once.');
    rejects((c) => Object.assign(c.replies, { followUpIntros: ['More on {topic}.'] }), 'Corpus: replies.json followUpIntros[0] must be a sentence with {subject} once.');
    rejects((c) => Object.assign(c.topics[4] ?? {}, { deeper: 'Two edge cases.\n' }), 'Corpus: topics.json[4] ("Reconnection and Last-Event-ID").deeper must be a string without spaces or line breaks at either end.');
    rejects((c) => Object.assign(c, { topics: [] }), 'Corpus: topics.json must be a non-empty list of topics.');
  });

  test('accepts blank lines in code and answers with a topic a writer adds', () => {
    const corpus = files();
    corpus.topics.push({
      title: 'Server-Sent Events on a toaster',
      subject: 'toasters',
      keywords: { toaster: 3, bread: 1 },
      query: 'toaster events',
      intros: ['Toasters can stream events too.'],
      paragraphs: ['A toaster sends `data: done` when the bread pops up.'],
      deeper: 'Crumb trays are out of scope.',
      list: { lead: 'Steps:', ordered: true, items: ['Insert bread.', 'Wait for the event.'] },
      code: { lead: 'A listener:', lines: ['const toaster = new EventSource("/toast");', '', 'toaster.onmessage = eat;'] },
      outros: ['Enjoy your toast.'],
      sources: ['mdn-eventsource'],
    });
    const plan = planAnswer([{ role: 'user', content: 'How does my toaster stream bread events?' }], seededRandom(1), parseCorpus(corpus));
    assert.equal(
      plan.answer,
      [
        'Toasters can stream events too.',
        'A toaster sends `data: done` when the bread pops up.',
        'Steps:\n\n1. Insert bread.\n2. Wait for the event.',
        'A listener:\n\n```ts\nconst toaster = new EventSource("/toast");\n\ntoaster.onmessage = eat;\n```',
        'Enjoy your toast.',
      ].join('\n\n'),
    );
  });
});

describe('the blocks of an answer', () => {
  test('count as many tokens joined by blank lines as alone, plus one per blank line', () => {
    // The planner counts a long answer this way instead of recounting it after every section.
    const random = seededRandom(3);
    const blocks = [
      ...CORPUS.replies.longPreambles,
      ...CORPUS.replies.fallback.intros,
      renderCode(CORPUS.replies.fallback.code),
      ...CORPUS.topics.flatMap((topic) => [
        ...topic.intros,
        topic.deeper,
        renderList(random, topic.list),
        renderSection(random, topic, true),
        ...topic.outros,
      ]),
    ];
    for (const [i, block] of blocks.entries()) {
      const next = blocks[(i + 1) % blocks.length] ?? '';
      assert.equal(estimateTokens(`${block}\n\n${next}`), estimateTokens(block) + 1 + estimateTokens(next), block.slice(0, 60));
    }
  });
});

describe('fill', () => {
  test('puts the value in verbatim, with its $ patterns and braces', () => {
    assert.equal(fill('You asked {quote}, I think.', 'quote', '`$& {quote} $1`'), 'You asked `$& {quote} $1`, I think.');
  });

  test('leaves other placeholders alone', () => {
    assert.equal(fill('{subject} and {quote}', 'quote', 'q'), '{subject} and q');
  });
});
