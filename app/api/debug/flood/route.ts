import { ApiError, methodNotAllowed } from '@/lib/http/errors';
import { faultInjectionEnabled } from '@/lib/http/faults';
import { createFlood } from '@/lib/server/flood';
import { streamSettings } from '@/lib/http/guard';
import { preflight, route } from '@/lib/http/route';

/**
 * `GET /api/debug/flood?kb=N`: N KiB of events, written as fast as the client reads them and no
 * faster (a client that stops reading stalls its flood; it costs no CPU or memory meanwhile).
 * One open flood per client. Fault injection only: 404 when it is off.
 */
export const GET = route({ opensStream: true }, (request, caller) => {
  if (!faultInjectionEnabled()) throw new ApiError('not_found', 'Fault injection is off on this server.');
  const raw = new URL(request.url).searchParams.get('kb') ?? '1024';
  const kb = /^\d{1,7}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(kb >= 1 && kb <= 1_048_576)) throw new ApiError('invalid_parameter', 'kb must be an integer from 1 to 1048576.');
  return createFlood(request.signal, kb, streamSettings(caller));
});

export const POST = methodNotAllowed(['GET']);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
export const OPTIONS = preflight(['GET']);
