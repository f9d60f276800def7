import Link from 'next/link';

const COMPARISON = [
  {
    aspect: 'HTTP method',
    eventSource: 'GET only',
    fetch: 'Any: the chat sends its conversation as a POST body',
    where: { href: '/chat', label: 'Chat: GET vs POST' },
  },
  {
    aspect: 'Custom headers',
    eventSource: 'None; cookies only (withCredentials)',
    fetch: 'Any, such as Authorization, set per request',
    where: { href: '/chat', label: 'Chat: Authorization header' },
  },
  {
    aspect: 'Reconnect',
    eventSource: 'Built in, fixed delay from retry:, sends Last-Event-ID',
    fetch: 'Ours: exponential back-off with jitter on top of retry:, Retry-After, Last-Event-ID',
    where: { href: '/clock', label: 'Clock: reconnect counters' },
  },
  {
    aspect: 'Parsing',
    eventSource: 'Automatic: one listener per event type',
    fetch: 'Ours: lib/sse/parser.ts, the WHATWG algorithm; raw frames visible',
    where: { href: '/clock', label: 'Clock: raw frames' },
  },
  {
    aspect: 'Browser support',
    eventSource: 'Every current browser; no polyfill needed',
    fetch: 'Every browser with fetch streams (all current ones)',
    where: { href: '/clock', label: 'Clock: both panels' },
  },
  {
    aspect: 'Complexity',
    eventSource: 'Three lines',
    fetch: 'A parser and a client, which lib/ provides',
    where: { href: '/clock', label: 'Clock: the same counts' },
  },
  {
    aspect: 'Control of the connection',
    eventSource: 'close() and readyState; no liveness check, no error detail',
    fetch: 'AbortController, status codes, response headers, liveness timeout',
    where: { href: '/clock', label: 'Clock: Close and error states' },
  },
  {
    aspect: 'Authentication',
    eventSource: 'Cookies (a session cookie set by POST /api/session)',
    fetch: 'Bearer token in Authorization, or cookies',
    where: { href: '/chat', label: 'Chat: auth per column' },
  },
];

const DEMOS = [
  { href: '/clock', title: 'Live clock', text: 'One shared ticker, two transports side by side, raw frames and counts.' },
  { href: '/chat', title: 'AI chat', text: 'A simulated model streaming stages, tool calls and tokens to EventSource and fetch.' },
];

export default function HomePage() {
  return (
    <>
      <h1>Server-Sent Events, done right on Next.js</h1>
      <p className="lead">
        Server-Sent Events (SSE) is a plain HTTP response that never ends: the server writes <code>text/event-stream</code>{' '}
        frames (<code>event:</code>, <code>data:</code>, <code>id:</code>, <code>retry:</code>) and the browser turns each
        block into an event. It is one-way, server to client, over ordinary HTTP, so it passes proxies, works with HTTP/2
        multiplexing, and resumes after a drop with <code>Last-Event-ID</code>.
      </p>

      <h2>When to choose SSE</h2>
      <ul>
        <li>
          <strong>SSE</strong> when the server pushes and the client mostly listens: live dashboards, notifications, progress,
          AI tokens. Text only, automatic reconnect, no extra protocol.
        </li>
        <li>
          <strong>WebSocket</strong> when both sides talk at high rate (games, collaborative editing) or you need binary
          frames. It needs its own upgrade path through proxies and its own reconnect logic.
        </li>
        <li>
          <strong>Polling</strong> when updates are rare and minutes of delay are fine; every poll pays a full request, and
          faster polling only trades latency for load.
        </li>
      </ul>

      <h2>Demos</h2>
      <div className="cards">
        {DEMOS.map((demo) => (
          <Link className="card" href={demo.href} key={demo.href}>
            <h3>{demo.title}</h3>
            <p>{demo.text}</p>
          </Link>
        ))}
      </div>

      <h2>EventSource or fetch()?</h2>
      <p className="lead">Every row is live in the demos: follow the link to see the difference on screen.</p>
      <div className="table-wrap">
        <table className="compare" data-testid="comparison">
          <thead>
            <tr>
              <th scope="col">Aspect</th>
              <th scope="col">EventSource</th>
              <th scope="col">fetch() + our parser</th>
              <th scope="col">See it</th>
            </tr>
          </thead>
          <tbody>
            {COMPARISON.map((row) => (
              <tr key={row.aspect}>
                <th scope="row">{row.aspect}</th>
                <td>{row.eventSource}</td>
                <td>{row.fetch}</td>
                <td>
                  <Link href={row.where.href}>{row.where.label}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
