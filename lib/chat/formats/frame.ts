import type { EventInput } from '../../sse/types';

/** One server-sent event a wire format sends, after waiting `delayMs`; encoded by `encodeEvent`. */
export interface Frame extends EventInput {
  delayMs: number;
}
