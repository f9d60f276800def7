import 'server-only';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** A token-bucket limiter per key, with bounded memory. */
export interface RateLimiter {
  /** Takes one token for `key`: 0 when allowed, else the milliseconds until one is free. */
  take(key: string, now?: number): number;
  /** Keys tracked now. */
  readonly size: number;
}

/**
 * Creates a limiter: each key may make `burst` requests at once, refilled at `perMinute` a minute.
 * Memory is bounded: full buckets carry no information and are dropped, and past `maxKeys` the
 * stalest keys go first (a Map iterates in insertion order; every use re-inserts).
 */
export function createRateLimiter({ perMinute, burst, maxKeys = 50_000 }: { perMinute: number; burst: number; maxKeys?: number }): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const perMs = perMinute / 60_000;

  function refill(bucket: Bucket, now: number): void {
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
  }

  return {
    take(key, now = Date.now()) {
      const bucket = buckets.get(key) ?? { tokens: burst, updatedAt: now };
      buckets.delete(key);
      refill(bucket, now);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        buckets.set(key, bucket);
        evict(now);
        return 0;
      }
      buckets.set(key, bucket);
      return Math.ceil((1 - bucket.tokens) / perMs);
    },
    get size() {
      return buckets.size;
    },
  };

  function evict(now: number): void {
    if (buckets.size <= maxKeys) return;
    for (const [key, bucket] of buckets) {
      refill(bucket, now);
      if (bucket.tokens >= burst || buckets.size > maxKeys) buckets.delete(key);
      if (buckets.size <= maxKeys * 0.9) return;
    }
  }
}
