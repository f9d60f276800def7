import 'server-only';

import { getStreamStats } from '@/lib/sse/server';
import type { RedisConnections } from './connections';
import { instanceId } from './instance';

/** How often an instance writes its counts, and how long they outlive it (three missed writes). */
const INTERVAL_MS = 5000;
const TTL_MS = 3 * INTERVAL_MS;
const PREFIX = 'sse:instance:';

/** One instance's line in `/api/stats`'s `cluster`. */
export interface InstancePresence {
  instance: string;
  openStreams: number;
}

/**
 * Writes this instance's open stream count to Redis every few seconds, under a key that expires
 * when the instance stops writing (a dead instance drops out of the list within 15 s).
 */
export function startPresence(redis: RedisConnections): () => void {
  const write = () => {
    if (!redis.isReady('commands')) return;
    const value = JSON.stringify({ openStreams: getStreamStats().openStreams });
    redis.commands().set(`${PREFIX}${instanceId()}`, value, { PX: TTL_MS }).catch(() => {});
  };
  redis.commands();
  const first = setTimeout(write, 100);
  const timer = setInterval(write, INTERVAL_MS);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}

/** The instances that wrote their counts lately, by name. Rejects when Redis cannot answer. */
export async function clusterPresence(redis: RedisConnections): Promise<InstancePresence[]> {
  const client = redis.commands();
  const keys: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 100 })) keys.push(...batch);
  if (keys.length === 0) return [];
  const values = await client.mGet(keys);
  const instances: InstancePresence[] = [];
  keys.forEach((key, index) => {
    const value = values[index];
    if (!value) return;
    const { openStreams } = JSON.parse(value) as { openStreams: number };
    instances.push({ instance: key.slice(PREFIX.length), openStreams });
  });
  return instances.sort((a, b) => a.instance.localeCompare(b.instance));
}
