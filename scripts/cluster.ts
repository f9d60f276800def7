// `npm run cluster`: the app as deployed, on this machine. redis-server, two standalone instances
// sharing it and nginx in front, on free loopback ports; Ctrl-C stops all of it.
import { startCluster } from '../e2e/support/cluster';

async function main(): Promise<void> {
  const cluster = await startCluster({ instances: Number(process.env.INSTANCES ?? 2) });
  console.log(`redis-server  ${cluster.redis.url}`);
  for (const instance of cluster.instances) console.log(`${instance.id.padEnd(13)} ${instance.url}`);
  console.log(`nginx         ${cluster.url}   <- open this`);
  console.log('Ctrl-C stops all of it.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping nginx, the instances and redis-server ...');
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // An instance that dies on its own is worth knowing about; the rest keep running.
  for (const instance of cluster.instances) {
    void instance.program.exited.then((code) => {
      if (!stopping) console.error(`${instance.id} exited (${code}):\n${instance.program.output().slice(-2000)}`);
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
