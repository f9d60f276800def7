/**
 * The code the course shows, as a reader of this app would write it. Code is the same in every
 * language, so it lives here and not in the message files.
 */
export const SNIPPETS = {
  layout: `app/
  api/clock/route.ts      GET: the clock's event stream (a route handler)
  api/chat/route.ts       POST: a chat answer, streamed
  clock/page.tsx          the page (a server component)
lib/
  sse/encoder.ts          every byte on the wire goes through here
  sse/parser.ts           text/event-stream -> events (the WHATWG algorithm)
  sse/client.ts           connectEventStream(): fetch + parser + reconnect
  sse/server.ts           createSseResponse(): headers, heartbeat, cleanup
  server/topic.ts         one producer, many subscribers, a replay buffer
components/               client components ('use client') that listen
hooks/                    React bindings over lib/sse/client.ts`,

  routeHandler: `// app/api/ticks/route.ts
import { createSseResponse } from '@/lib/sse/server';

export function GET(request: Request) {
  return createSseResponse({
    signal: request.signal, // the client leaves: the stream ends
    label: 'ticks',
    start(connection) {
      let n = 0;
      const timer = setInterval(() => {
        n += 1;
        connection.send({ event: 'tick', id: n, data: { n, at: new Date().toISOString() } });
      }, 1000);
      return () => clearInterval(timer); // runs once, however the stream ends
    },
  });
}`,

  eventSourceClient: `'use client';
import { useEffect, useState } from 'react';

export function Ticks() {
  const [last, setLast] = useState<string>('…');
  useEffect(() => {
    const source = new EventSource('/api/ticks');
    source.onmessage = (e) => setLast(e.data); // unnamed events only
    source.onerror = () => setLast('reconnecting…'); // the browser retries by itself
    return () => source.close(); // unmount: stop for good
  }, []);
  return <output>{last}</output>;
}`,

  namedListener: `useEffect(() => {
  const source = new EventSource('/api/clock');
  const onUpdate = (e: MessageEvent<string>) => {
    const { timestamp } = JSON.parse(e.data) as { timestamp: string };
    setTime(timestamp);
  };
  // 'update' is the event: field; onmessage would never see it.
  source.addEventListener('update', onUpdate);
  source.addEventListener('notification', (e) => notify(JSON.parse(e.data)));
  return () => source.close();
}, []);`,

  namedServer: `start(connection) {
  connection.send({ event: 'update', id: 41, data: { timestamp: new Date().toISOString() } });
  connection.send({ event: 'done', data: 'bye' });
  connection.close(); // EventSource will reconnect after this, unless the client closes first
}`,

  fetchClient: `'use client';
import { useEffect, useState } from 'react';
import { connectEventStream } from '@/lib/sse/client';

export function Answer({ question, token }: { question: string; token: string }) {
  const [text, setText] = useState('');
  useEffect(() => {
    const stream = connectEventStream({
      url: '/api/chat',
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: \`Bearer \${token}\` },
      body: JSON.stringify({ messages: [{ role: 'user', content: question }] }),
      resumable: true, // the server resumes from Last-Event-ID, so a retry is safe
      onEvent: (event) => {
        if (event.type === 'token') setText((t) => t + JSON.parse(event.data).text);
      },
    });
    return () => stream.close();
  }, [question, token]);
  return <p>{text}</p>;
}`,

  fetchLowLevel: `const response = await fetch('/api/clock', { signal });
if (!response.ok || !response.body) throw new Error(\`HTTP \${response.status}\`);
const parser = createParser({ onEvent: (event) => console.log(event.type, event.data) });
for await (const text of response.body.pipeThrough(new TextDecoderStream())) {
  parser.feed(text); // chunks split anywhere: mid-line, mid-character
}
// The stream ended: reconnecting (with Last-Event-ID) is now your job.`,

  nodeServer: `// server.mjs: plain Node, no framework
import { createServer } from 'node:http';

createServer((req, res) => {
  if (req.url !== '/ticks') return res.writeHead(404).end();
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 1000\\n\\n');
  let n = 0;
  const timer = setInterval(() => {
    n += 1;
    res.write(\`event: tick\\nid: \${n}\\ndata: \${JSON.stringify({ n })}\\n\\n\`);
  }, 1000);
  req.on('close', () => clearInterval(timer));
}).listen(3000);`,

  wire: `retry: 1000

: a comment, ignored by clients (our heartbeat is ": ping")

event: update
id: 42
data: {"timestamp":"2026-11-30T14:00:00.000Z","random":7}

data: first line
data: second line

`,
} as const;

/** The name of one snippet. */
export type Snippet = keyof typeof SNIPPETS;
