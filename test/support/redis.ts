import assert from 'node:assert/strict';
import { createConnections, type RedisConnections } from '../../lib/server/redis/connections';

/** One instance's connection set to the test's redis-server, checked ready before a test uses it. */
export async function healthyConnections(url: string): Promise<RedisConnections> {
  const connections = createConnections(url);
  assert.deepEqual(await connections.health(), { status: 'ok' });
  return connections;
}
