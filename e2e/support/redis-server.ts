import { rmSync } from 'node:fs';
import { requireTool } from './tools';
import { freePort, listening, runProgram, tmpFolder, waitFor, type Program } from './processes';

/** A real `redis-server` on a loopback port, with nothing persisted. */
export interface RedisServer {
  url: string;
  port: number;
  /** SIGKILLs the server: no goodbye to its clients, as when the host dies. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing was persisted). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `redis-server` on a free port, in a folder of its own, with persistence off. */
export async function startRedis(): Promise<RedisServer> {
  const bin = requireTool('redis-server');
  const port = await freePort();
  const dir = tmpFolder('redis');
  let program: Program | undefined;
  const start = async () => {
    program = runProgram(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]);
    await waitFor(`redis-server on port ${port}`, program, () => listening(port), 10_000);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      await program?.stop('SIGKILL');
    },
    restart: start,
    async stop() {
      await program?.stop('SIGTERM', 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
