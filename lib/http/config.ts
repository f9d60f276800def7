import 'server-only';

/** The server's settings, read from the environment once. See the README's configuration table. */
export interface ServerConfig {
  /** `SSE_AUTH_TOKEN`: when set, every stream route and `/api/stats` need it. */
  authToken: string | undefined;
  /** `SSE_MAX_STREAMS`: open streams in this process, answered with 503 past it. */
  maxStreams: number;
  /** `SSE_MAX_STREAMS_PER_IP`: open streams per client IP, answered with 429 past it. */
  maxStreamsPerIp: number;
  /** `SSE_RATE_LIMIT`: requests a minute per client IP, on average. */
  ratePerMinute: number;
  /** `SSE_RATE_BURST`: requests a client may make at once before the rate applies. */
  rateBurst: number;
  /** `SSE_ALLOWED_ORIGINS`: other origins allowed to read the API (CORS); never a wildcard. */
  allowedOrigins: ReadonlySet<string>;
  /** `SSE_TRUST_PROXY`: how many proxies in front append to `X-Forwarded-For` (0: trust none). */
  trustProxy: number;
  /** `SSE_MAX_QUEUED_BYTES`: unread bytes a stream may queue before its client is cut off. */
  maxQueuedBytes: number;
  /** `SSE_HEARTBEAT_MS`: interval of heartbeat comments. */
  heartbeatMs: number;
}

/** Reads an integer setting from the environment; a malformed one stops the server with a clear error. */
export function readInt(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function readConfig(): ServerConfig {
  const origins = (process.env.SSE_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  if (origins.includes('*')) throw new Error('SSE_ALLOWED_ORIGINS must list origins; a wildcard is not allowed.');
  return {
    authToken: process.env.SSE_AUTH_TOKEN || undefined,
    maxStreams: readInt('SSE_MAX_STREAMS', 10_000, 1),
    maxStreamsPerIp: readInt('SSE_MAX_STREAMS_PER_IP', 50, 1),
    ratePerMinute: readInt('SSE_RATE_LIMIT', 300, 1),
    rateBurst: readInt('SSE_RATE_BURST', 60, 1),
    allowedOrigins: new Set(origins),
    trustProxy: readInt('SSE_TRUST_PROXY', 0, 0),
    maxQueuedBytes: readInt('SSE_MAX_QUEUED_BYTES', 1024 * 1024, 1024),
    heartbeatMs: readInt('SSE_HEARTBEAT_MS', 15_000, 0),
  };
}

/** The process's configuration (read on first use). */
export function getConfig(): ServerConfig {
  const store = globalThis as { __sseConfig?: ServerConfig };
  return (store.__sseConfig ??= readConfig());
}
