import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, listening, runProgram, tmpFolder, waitFor } from './processes';
import { requireTool } from './tools';

/** nginx in front of some upstreams, running from a prefix folder of its own. */
export interface Nginx {
  url: string;
  port: number;
  /** What nginx has logged (its error log goes to stderr), for a failure's explanation. */
  output(): string;
  stop(): Promise<void>;
}

/** deploy/nginx.conf with its placeholders filled: nginx on `listen`, round-robin over `upstreams`. */
export function nginxConfig(listen: string, upstreams: readonly string[]): string {
  const template = readFileSync(path.join(process.cwd(), 'deploy', 'nginx.conf'), 'utf8');
  // An instance that refuses connections is skipped for a few seconds, then tried again.
  const servers = upstreams.map((address) => `server ${address} max_fails=1 fail_timeout=2s;`).join('\n    ');
  return template.replace('@@LISTEN@@', listen).replace('@@UPSTREAMS@@', servers);
}

/** Starts nginx (in the foreground, as a child) on a free loopback port with deploy/nginx.conf. */
export async function startNginx(upstreams: readonly string[]): Promise<Nginx> {
  const bin = requireTool('nginx');
  const port = await freePort();
  const prefix = tmpFolder('nginx');
  mkdirSync(path.join(prefix, 'tmp'));
  const conf = path.join(prefix, 'nginx.conf');
  writeFileSync(conf, nginxConfig(`127.0.0.1:${port}`, upstreams));
  // -e stderr: nginx opens its compiled-in error log before reading the config; this one it may write.
  const program = runProgram(bin, ['-p', `${prefix}/`, '-c', conf, '-e', 'stderr', '-g', 'daemon off;']);
  await waitFor(`nginx on port ${port}`, program, () => listening(port), 10_000);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => program.output(),
    // SIGTERM is nginx's fast shutdown: it does not wait for open event streams to end.
    async stop() {
      await program.stop('SIGTERM', 5000);
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
