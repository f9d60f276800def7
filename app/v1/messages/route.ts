import { anthropicErrorResponse, anthropicEvents, anthropicMessage } from '@/lib/chat/formats/anthropic';
import { parseAnthropicRequest } from '@/lib/chat/formats/anthropic-request';
import { readModelHeaders } from '@/lib/chat/formats/request';
import { simulateTurn, turnDuration } from '@/lib/chat/formats/turn';
import { DEFAULT_DELAY_MS } from '@/lib/chat/simulate';
import { readJsonBody } from '@/lib/http/body';
import { ApiError } from '@/lib/http/errors';
import { claimStream, streamSettings } from '@/lib/http/guard';
import { preflight, route } from '@/lib/http/route';
import { abortableDelay } from '@/lib/sse/backoff';
import { pacedResponse } from '@/lib/server/paced-stream';
import { MAX_BODY_BYTES, randomId, randomSeed } from '../limits';

const messages = route({ renderError: anthropicErrorResponse }, async (request, caller) => {
  const settings = readModelHeaders(request.headers);
  const input = parseAnthropicRequest(await readJsonBody(request, MAX_BODY_BYTES));
  const delayMs = settings.delayMs ?? DEFAULT_DELAY_MS;
  const turn = simulateTurn(input.messages, {
    delayMs,
    seed: settings.seed ?? randomSeed(),
    callTool: input.callTool,
    maxTokens: input.maxTokens,
  });
  const context = { id: `msg_${randomId()}`, model: input.model };

  if (!input.stream) {
    // The whole answer takes as long as its stream would.
    await abortableDelay(turnDuration(turn), request.signal);
    const result = anthropicMessage(turn, context);
    if (!result.ok) throw new ApiError('internal', result.message);
    return Response.json(result.message, { headers: { 'Cache-Control': 'no-store' } });
  }
  // Only now is it known to be a stream: the caps (across the cluster with Redis) apply here.
  await claimStream(caller);
  return pacedResponse(request, anthropicEvents(turn, context), 'anthropic', streamSettings(caller));
});

/**
 * `POST /v1/messages`: the simulated model in Anthropic's Messages format, streamed (`stream:
 * true`) or whole; `X-Seed` picks the answer, `X-Delay-Ms` the pacing. The Anthropic SDK sends
 * its `apiKey` as `x-api-key` (its `authToken` as a bearer token), so the key counts as the bearer
 * token here, and the guard checks it as for every other route.
 */
export function POST(request: Request, context: unknown): Promise<Response> {
  const apiKey = request.headers.get('x-api-key');
  if (apiKey === null || request.headers.has('authorization')) return messages(request, context);
  const headers = new Headers(request.headers);
  headers.set('authorization', `Bearer ${apiKey}`);
  return messages(new Request(request, { headers }), context);
}

function notAllowed(): Response {
  return anthropicErrorResponse(new ApiError('method_not_allowed', 'Use POST.', { Allow: 'POST' }));
}

export const OPTIONS = preflight(['POST']);
export const GET = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
