import { openAiChunks, openAiCompletion, openAiErrorResponse } from '@/lib/chat/formats/openai';
import { parseOpenAiRequest } from '@/lib/chat/formats/openai-request';
import { readModelHeaders } from '@/lib/chat/formats/request';
import { simulateTurn, turnDuration } from '@/lib/chat/formats/turn';
import { DEFAULT_DELAY_MS } from '@/lib/chat/simulate';
import { readJsonBody } from '@/lib/http/body';
import { ApiError } from '@/lib/http/errors';
import { claimStream, streamSettings } from '@/lib/http/guard';
import { preflight, route } from '@/lib/http/route';
import { abortableDelay } from '@/lib/sse/backoff';
import { pacedResponse } from '@/lib/server/paced-stream';
import { MAX_BODY_BYTES, randomId, randomSeed } from '../../limits';

/**
 * `POST /v1/chat/completions`: the simulated model in OpenAI's Chat Completions format, streamed
 * (`stream: true`) or whole. `seed` (or `X-Seed`) picks the answer, `X-Delay-Ms` the pacing.
 */
export const POST = route({ renderError: openAiErrorResponse }, async (request, caller) => {
  const settings = readModelHeaders(request.headers);
  const input = parseOpenAiRequest(await readJsonBody(request, MAX_BODY_BYTES));
  const delayMs = settings.delayMs ?? DEFAULT_DELAY_MS;
  const turn = simulateTurn(input.messages, {
    delayMs,
    seed: input.seed ?? settings.seed ?? randomSeed(),
    callTool: input.callTool,
    maxTokens: input.maxTokens,
  });
  const context = { id: `chatcmpl-${randomId()}`, model: input.model, created: Math.floor(Date.now() / 1000) };

  if (!input.stream) {
    // The whole answer takes as long as its stream would.
    await abortableDelay(turnDuration(turn), request.signal);
    const result = openAiCompletion(turn, context);
    if (!result.ok) throw new ApiError('internal', result.message);
    return Response.json(result.completion, { headers: { 'Cache-Control': 'no-store' } });
  }
  // Only now is it known to be a stream: the caps (across the cluster with Redis) apply here.
  await claimStream(caller);
  return pacedResponse(request, openAiChunks(turn, { ...context, includeUsage: input.includeUsage }), 'openai', streamSettings(caller));
});

function notAllowed(): Response {
  return openAiErrorResponse(new ApiError('method_not_allowed', 'Use POST.', { Allow: 'POST' }));
}

export const OPTIONS = preflight(['POST']);
export const GET = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
