import 'server-only';

/**
 * Every setting of the server, in one table: its environment variable, default, what is allowed
 * and a one-line description (the README's configuration table says the same). Adding a setting
 * is one line here; `setting(name)` then reads it, typed, anywhere on the server.
 *
 * `instrumentation.ts` checks every `SSE_*`, `CLOCK_*` and `CHAT_*` variable against this table
 * once at startup ({@link checkEnvironment}) and stops the process with one line on the first
 * bad one, so a typo cannot start a server that fails every request later.
 */

/** The environment, or any set of variables standing in for it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** One setting: how to read it from its raw string, and what to use when it is unset or empty. */
interface Setting<T> {
  /** What the setting does, in one line. */
  doc: string;
  /** What values are allowed, for the error line. */
  allowed: string;
  /** The value when unset; a function when it depends on the environment (as `NODE_ENV`). */
  fallback: T | ((env: Env) => T);
  /** Parses a raw value; returns `undefined` when it is not allowed. */
  parse(raw: string): T | undefined;
  /** True for a secret, whose value an error line must not repeat. */
  secret?: boolean;
}

function int(fallback: number, min: number, max: number, doc: string): Setting<number> {
  return {
    doc,
    allowed: `an integer from ${min} to ${max}`,
    fallback,
    parse(raw) {
      if (!/^-?\d+$/.test(raw.trim())) return undefined;
      const value = Number(raw);
      return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
    },
  };
}

function oneOf<const T extends string>(values: readonly T[], fallback: Setting<T>['fallback'], doc: string): Setting<T> {
  return {
    doc,
    allowed: values.map((value) => `"${value}"`).join(' or '),
    fallback,
    parse: (raw) => values.find((value) => value === raw.trim()),
  };
}

function secret(doc: string): Setting<string | undefined> {
  return { doc, allowed: 'text without spaces at either end', fallback: undefined, parse: (raw) => (raw.trim() === raw ? raw : undefined), secret: true };
}

// An origin is scheme://host[:port] and nothing else: compared exactly with the request's Origin.
function origins(doc: string): Setting<ReadonlySet<string>> {
  return {
    doc,
    allowed: 'comma-separated origins like https://app.example.com (scheme, host, optional port; no path, no wildcard)',
    fallback: new Set(),
    parse(raw) {
      const list = raw
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      const normalised = list.map(normaliseOrigin);
      return normalised.every((origin) => origin !== undefined) ? new Set(normalised as string[]) : undefined;
    },
  };
}

/**
 * The canonical form of an origin (`URL.origin`: lower-case scheme and host, default port
 * dropped), or undefined when `value` is not exactly an http(s) origin (a path, query, user or
 * wildcard makes it something else).
 */
export function normaliseOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    // new URL() adds the path "/" itself; anything more, a query, a fragment, a user or a
    // wildcard (which URL accepts in a host) makes it something other than one origin.
    if (url.pathname !== '/' || /[?#@*]/.test(value)) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The settings table. Each line: variable, default, allowed values, one-line description. */
export const SETTINGS = {
  SSE_AUTH_TOKEN: secret('when set, every API route but /api/health and /api/session needs it; unset, the API is open for local use'),
  SSE_MAX_STREAMS: int(10_000, 1, 1_000_000, 'open streams per process; past it new streams get 503 + Retry-After'),
  SSE_MAX_STREAMS_PER_IP: int(50, 1, 1_000_000, 'open streams per client address; past it 429 + Retry-After'),
  SSE_RATE_LIMIT: int(300, 1, 10_000_000, 'API requests a minute per client address (token bucket)'),
  SSE_RATE_BURST: int(60, 1, 10_000_000, 'requests a client may make at once before the rate applies'),
  SSE_ALLOWED_ORIGINS: origins('origins allowed to call the API cross-origin, compared exactly (scheme, host, port)'),
  SSE_TRUST_PROXY: int(0, 0, 10, 'proxies in front that append to X-Forwarded-For; 0 trusts no forwarding header'),
  SSE_MAX_QUEUED_BYTES: int(1024 * 1024, 1024, 1024 * 1024 * 1024, 'unread bytes one stream may queue before its client is cut off as too slow'),
  SSE_HEARTBEAT_MS: int(15_000, 0, HOUR, 'interval of ": ping" heartbeat comments; 0 turns them off'),
  SSE_FAULT_INJECTION: oneOf(
    ['on', 'off'],
    (env) => (env.NODE_ENV === 'production' ? 'off' : 'on'),
    'dropAfter, client tags and /api/debug/*; default on under next dev, off under next start',
  ),
  SSE_DIRECT_WRITES: oneOf(['on', 'off'], 'on', "event streams write to Node's response directly, past Next's web-stream pipe; off sends every event through the body"),
  SSE_METRICS_INTERVAL_MS: int(1000, 50, 60_000, 'interval of the /api/metrics samples the dashboard draws'),
  CLOCK_INTERVAL_MS: int(1000, 10, HOUR, 'clock tick'),
  CLOCK_NOTIFICATION_MS: int(5000, 0, HOUR, 'delay from a listener joining to its notification'),
  CLOCK_BUFFER_SIZE: int(300, 1, 100_000, 'recent clock events kept for Last-Event-ID resume'),
  CHAT_GRACE_MS: int(30_000, 1, HOUR, 'how long a chat generation runs on with no client attached'),
  CHAT_RETENTION_MS: int(30_000, 1, 24 * HOUR, "how long a finished chat's event log is kept for resuming"),
  CHAT_ABANDONED_RETENTION_MS: int(5_000, 1, 24 * HOUR, 'how long a run whose starter left and nobody came back to is kept'),
  CHAT_MAX_RUNS: int(1000, 1, 1_000_000, 'chat generations held at once (running or kept); past it 503'),
  CHAT_MAX_RUNS_PER_IP: int(16, 1, 1_000_000, 'chat generations one client may have running at once; past it 429 + Retry-After'),
  CHAT_TAKEOVER: int(1, 0, 1, "with Redis: 1 continues a run whose instance died on another instance; 0 ends it with error producer_lost"),
  CHAT_MAX_LOG_BYTES: int(64 * 1024 * 1024, 1024, 64 * 1024 * 1024 * 1024, 'bytes of chat event logs kept in all; past it the oldest finished runs go first'),
} satisfies Record<string, Setting<unknown>>;

/** The name of a setting, as its environment variable. */
export type SettingName = keyof typeof SETTINGS;
type ValueOf<N extends SettingName> = (typeof SETTINGS)[N] extends Setting<infer T> ? T : never;

/** The prefixes whose every variable must be a known setting. */
const PREFIXES = ['SSE_', 'CLOCK_', 'CHAT_'];

/** A bad setting, as the one line the server stops with. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function read<N extends SettingName>(name: N, env: Env): ValueOf<N> {
  const definition = SETTINGS[name] as Setting<ValueOf<N>>;
  const raw = env[name];
  if (raw === undefined || raw === '') {
    const { fallback } = definition;
    return typeof fallback === 'function' ? (fallback as (env: Env) => ValueOf<N>)(env) : fallback;
  }
  const value = definition.parse(raw);
  if (value === undefined) {
    const shown = definition.secret ? `(${raw.length} characters, not shown)` : JSON.stringify(raw);
    throw new ConfigError(`${name}=${shown} is not allowed: use ${definition.allowed}.`);
  }
  return value;
}

/**
 * Checks every `SSE_*`, `CLOCK_*` and `CHAT_*` variable of `env`: each must be a known setting
 * with an allowed value. Throws a {@link ConfigError} whose message is one line naming the first
 * bad variable, its value and what is allowed.
 */
export function checkEnvironment(env: Env = process.env): void {
  for (const name of Object.keys(env).sort()) {
    const prefix = PREFIXES.find((candidate) => name.startsWith(candidate));
    if (!prefix) continue;
    if (!Object.hasOwn(SETTINGS, name)) {
      // Its value is not repeated: a misspelt SSE_AUTH_TOKEN would be a secret.
      const known = Object.keys(SETTINGS).filter((setting) => setting.startsWith(prefix));
      throw new ConfigError(`${name} is not a setting of this server; the ${prefix}* settings are ${known.join(', ')}.`);
    }
    read(name as SettingName, env);
  }
}

/**
 * The value of one setting, read from the environment once per process (checked at startup, so
 * this does not throw on a server that started).
 */
export function setting<N extends SettingName>(name: N): ValueOf<N> {
  const store = globalThis as { __sseSettings?: Map<SettingName, unknown> };
  const cache = (store.__sseSettings ??= new Map());
  if (!cache.has(name)) cache.set(name, read(name, process.env));
  return cache.get(name) as ValueOf<N>;
}

/** The server's settings the request pipeline uses. See {@link SETTINGS}. */
export interface ServerConfig {
  authToken: string | undefined;
  maxStreams: number;
  maxStreamsPerIp: number;
  ratePerMinute: number;
  rateBurst: number;
  allowedOrigins: ReadonlySet<string>;
  trustProxy: number;
  maxQueuedBytes: number;
  heartbeatMs: number;
  directWrites: boolean;
}

/** The request pipeline's configuration (read on first use; checked at startup). */
export function getConfig(): ServerConfig {
  const store = globalThis as { __sseConfig?: ServerConfig };
  return (store.__sseConfig ??= {
    authToken: setting('SSE_AUTH_TOKEN'),
    maxStreams: setting('SSE_MAX_STREAMS'),
    maxStreamsPerIp: setting('SSE_MAX_STREAMS_PER_IP'),
    ratePerMinute: setting('SSE_RATE_LIMIT'),
    rateBurst: setting('SSE_RATE_BURST'),
    allowedOrigins: setting('SSE_ALLOWED_ORIGINS'),
    trustProxy: setting('SSE_TRUST_PROXY'),
    maxQueuedBytes: setting('SSE_MAX_QUEUED_BYTES'),
    heartbeatMs: setting('SSE_HEARTBEAT_MS'),
    directWrites: setting('SSE_DIRECT_WRITES') === 'on',
  });
}
