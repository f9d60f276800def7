import { existsSync } from 'node:fs';
import path from 'node:path';
import { startNginx, type Nginx } from './nginx';
import { freePort, runProgram, waitFor, type Program } from './processes';
import { startRedis, type RedisServer } from './redis-server';

/** One app instance: the standalone server a Node host runs (`node .next/standalone/server.js`). */
export interface Instance {
  id: string;
  url: string;
  address: string;
  program: Program;
  /** SIGKILL: the instance dies without cleaning up, as when its host does. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Redis, some instances sharing it, and nginx in front of them. */
export interface Cluster {
  /** nginx's address: where a browser or client goes. */
  url: string;
  redis: RedisServer;
  instances: Instance[];
  nginx: Nginx;
  stop(): Promise<void>;
}

const standaloneServer = () => path.join(process.cwd(), '.next', 'standalone', 'server.js');

/**
 * Starts an instance from the standalone build on a free port. `npm run build` makes that build
 * (and copies public/ and .next/static into it); a missing one throws saying so.
 */
export async function startInstance(id: string, env: Record<string, string>): Promise<Instance> {
  const server = standaloneServer();
  if (!existsSync(server)) throw new Error(`${server} is missing: run \`npm run build\` first.`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const program = runProgram(process.execPath, [server], {
    ...process.env,
    ...env,
    INSTANCE_ID: id,
    PORT: String(port),
    HOSTNAME: '127.0.0.1',
    NODE_ENV: 'production',
  });
  await waitFor(`instance ${id} on ${url}`, program, async () => (await fetch(`${url}/api/health`)).ok, 30_000);
  return {
    id,
    url,
    address: `127.0.0.1:${port}`,
    program,
    kill: () => program.stop('SIGKILL'),
    stop: () => program.stop('SIGTERM', 10_000),
  };
}

/**
 * Starts `redis-server`, `instances` app instances using it (behind one proxy, so with
 * SSE_TRUST_PROXY=1) and nginx over them, all on free loopback ports.
 */
export async function startCluster(options: { instances?: number; env?: Record<string, string> } = {}): Promise<Cluster> {
  const count = options.instances ?? 2;
  const redis = await startRedis();
  const instances: Instance[] = [];
  try {
    for (let index = 1; index <= count; index++) {
      instances.push(
        await startInstance(`app-${index}`, { SSE_TRUST_PROXY: '1', ...options.env, REDIS_URL: redis.url }),
      );
    }
    const nginx = await startNginx(instances.map((instance) => instance.address));
    return {
      url: nginx.url,
      redis,
      instances,
      nginx,
      async stop() {
        await nginx.stop();
        await Promise.all(instances.map((instance) => instance.stop()));
        await redis.stop();
      },
    };
  } catch (error) {
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis.stop();
    throw error;
  }
}
