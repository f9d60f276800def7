import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PEER_HEADER } from '../lib/http/client-ip';
import { installLifecycle, nodeResponseOf, RESPONSE_HEADER } from '../lib/http/lifecycle';

// The request stamps of lib/http/lifecycle.ts, on real Node servers: the peer address and the id
// that names a request's own Node response, each replacing whatever the client sent.

interface Seen {
  req: IncomingMessage;
  res: ServerResponse;
  /** What nodeResponseOf finds for a web Request carrying this request's headers. */
  found: ServerResponse | undefined;
}

const seen: Seen[] = [];
const servers: Server[] = [];
let certDir: string;

/** A web Request with the headers the handler saw, as Next builds one for a route. */
function webRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  return new Request('http://test/', { headers });
}

function handler(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ req, res, found: nodeResponseOf(webRequest(req)) });
  // Held open until the test ends it, so that its id stays in flight.
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.write('open\n');
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Sends a GET with `headers`; resolves once the server has seen it. */
async function send(port: number, headers: Record<string, string>, secure = false): Promise<Seen> {
  const count = seen.length;
  const request = (secure ? httpsRequest : httpRequest)({ host: '127.0.0.1', port, path: '/', headers, rejectUnauthorized: false });
  request.on('error', () => undefined);
  request.end();
  await once(request, 'response');
  assert.equal(seen.length, count + 1);
  return seen.at(-1)!;
}

before(() => {
  installLifecycle();
  certDir = mkdtempSync(join(tmpdir(), 'sse-lifecycle-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
});

after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  rmSync(certDir, { recursive: true, force: true });
});

describe('installLifecycle: request stamps', () => {
  test('each request names its own Node response, and a client’s own id names nothing else', async () => {
    const port = await listen(createServer(handler));
    const first = await send(port, {});
    assert.equal(first.found, first.res);
    const stamped = first.req.headers[RESPONSE_HEADER];
    // 72 random bits a process, then a count: no client can guess another request's id.
    assert.ok(typeof stamped === 'string' && /^[\w-]{12}\.\d+$/.test(stamped), `an unguessable id, got ${String(stamped)}`);
    // A second client copies the first one's id, while the first response is still open.
    const forger = await send(port, { [RESPONSE_HEADER]: stamped, [PEER_HEADER]: '203.0.113.9' });
    assert.notEqual(forger.req.headers[RESPONSE_HEADER], stamped);
    assert.equal(forger.req.headers[PEER_HEADER], '127.0.0.1');
    assert.equal(forger.found, forger.res);
    assert.notEqual(forger.found, first.res);
  });

  test('a finished response is no longer found', async () => {
    const port = await listen(createServer(handler));
    const { req, res } = await send(port, {});
    res.end();
    await once(res, 'finish');
    assert.equal(nodeResponseOf(webRequest(req)), undefined);
  });

  test('a request without a stamp finds nothing', () => {
    assert.equal(nodeResponseOf(new Request('http://test/')), undefined);
    assert.equal(nodeResponseOf(new Request('http://test/', { headers: { [RESPONSE_HEADER]: '1' } })), undefined);
  });

  test('an HTTPS server’s requests are stamped too: the peer address and the id replace the client’s', async () => {
    const options = { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) };
    const port = await listen(createHttpsServer(options, handler) as unknown as Server);
    const { req, res, found } = await send(port, { [PEER_HEADER]: '203.0.113.9', [RESPONSE_HEADER]: 'forged' }, true);
    assert.equal(req.headers[PEER_HEADER], '127.0.0.1');
    assert.notEqual(req.headers[RESPONSE_HEADER], 'forged');
    assert.equal(found, res);
  });
});
