import { ApiError, methodNotAllowed } from '@/lib/http/errors';
import { faultInjectionEnabled } from '@/lib/http/faults';
import { createFlood } from '@/lib/server/flood';
import { streamSettings } from '@/lib/http/guard';
import { preflight, route } from '@/lib/http/route';

/**
 * `GET /api/debug/flood?kb=N`: N KiB of events written as fast as the server can, regardless of
 * whether the client reads, as a busy broadcast topic would. It shows (and tests) the per-stream
 * queue bound: a client that does not read is cut off instead of growing the server's memory.
 */
export const GET = route({ opensStream: true }, (request, caller) => {
  if (!faultInjectionEnabled()) throw new ApiError('not_found', 'Fault injection is off on this server.');
  const raw = new URL(request.url).searchParams.get('kb') ?? '1024';
  const kb = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(kb >= 1 && kb <= 1_048_576)) throw new ApiError('invalid_parameter', 'kb must be an integer from 1 to 1048576.');
  return createFlood(request.signal, kb, streamSettings(caller));
});

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
export const OPTIONS = preflight(['GET']);
