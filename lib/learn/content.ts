import type { Chapter } from './chapters';
import type { Snippet } from './snippets';

/** The live widgets a chapter can embed (components/learn/*). */
export type Widget = 'clock-events' | 'fetch-stream' | 'stream-headers' | 'connection-limit';

/**
 * One piece of a chapter page. Text blocks name a key under `learn.chapters.<slug>.body` in the
 * message files; code and widgets are the same in every language.
 */
export type Block =
  | { kind: 'p'; key: string }
  | { kind: 'h'; key: string; id: string }
  | { kind: 'code'; snippet: Snippet; caption?: string }
  | { kind: 'pair'; left: Snippet; leftCaption: string; right: Snippet; rightCaption: string }
  | { kind: 'widget'; widget: Widget }
  | { kind: 'demo'; href: string; key: string };

const p = (key: string): Block => ({ kind: 'p', key });
const h = (key: string, id: string): Block => ({ kind: 'h', key, id });
const code = (snippet: Snippet, caption?: string): Block => ({ kind: 'code', snippet, caption });
const widget = (name: Widget): Block => ({ kind: 'widget', widget: name });
const demo = (href: string, key: string): Block => ({ kind: 'demo', href, key });

/** What each chapter shows, in order. Every claim is followed by a widget or a demo link. */
export const CONTENT: Record<Chapter, Block[]> = {
  'what-is-sse': [p('p1'), p('p2'), widget('clock-events'), p('p3'), demo('/clock', 'd1')],
  'why-sse': [
    p('p1'),
    demo('/chat', 'd1'),
    p('p2'),
    demo('/clock', 'd2'),
    p('p3'),
    demo('/dashboard', 'd3'),
    p('p4'),
    demo('/learn/comparison#connection-limit', 'd4'),
  ],
  'use-cases': [
    h('h1', 'ai'),
    p('p1'),
    demo('/chat', 'd1'),
    h('h2', 'general'),
    p('p2'),
    demo('/clock', 'd2'),
    p('p3'),
    demo('/dashboard', 'd3'),
  ],
  'project-layout': [p('p1'), code('layout'), p('p2'), code('routeHandler', 'c1'), p('p3'), demo('/clock', 'd1')],
  eventsource: [p('p1'), code('eventSourceClient', 'c1'), p('p2'), widget('clock-events'), p('p3'), demo('/chat', 'd1')],
  'custom-events': [
    p('p1'),
    code('namedServer', 'c1'),
    code('namedListener', 'c2'),
    widget('clock-events'),
    h('h1', 'closing'),
    p('p2'),
    p('p3'),
    demo('/clock', 'd1'),
  ],
  'fetch-streaming': [
    p('p1'),
    code('fetchClient', 'c1'),
    demo('/chat', 'd1'),
    p('p2'),
    code('fetchLowLevel', 'c2'),
    widget('fetch-stream'),
    p('p3'),
    demo('/clock', 'd2'),
  ],
  comparison: [p('p1'), demo('/#compare', 'd1'), h('h1', 'connection-limit'), p('p2'), widget('connection-limit'), p('p3')],
  server: [
    p('p1'),
    { kind: 'pair', left: 'nodeServer', leftCaption: 'c1', right: 'routeHandler', rightCaption: 'c2' },
    p('p2'),
    widget('stream-headers'),
    p('p3'),
    demo('/dashboard', 'd1'),
  ],
  'message-format': [p('p1'), code('wire', 'c1'), p('p2'), widget('fetch-stream'), p('p3'), demo('/playground', 'd1')],
  frameworks: [p('p1'), p('p2'), demo('/chat', 'd1'), p('p3')],
  production: [
    h('h1', 'buffering'),
    p('p1'),
    widget('stream-headers'),
    h('h2', 'heartbeat'),
    p('p2'),
    demo('/clock', 'd1'),
    h('h3', 'slow'),
    p('p3'),
    demo('/dashboard', 'd2'),
    h('h4', 'resume'),
    p('p4'),
    demo('/clock', 'd3'),
  ],
};
