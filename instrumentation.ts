/** Next.js calls this once when the server starts. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { checkEnvironment, ConfigError } = await import('./lib/http/config');
    try {
      checkEnvironment();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // One line and a non-zero exit: a server with a bad setting would fail every request later.
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    const { redisUrlProblem } = await import('./lib/server/redis');
    const redisProblem = process.env.REDIS_URL ? redisUrlProblem(process.env.REDIS_URL) : undefined;
    if (redisProblem) {
      console.error(`Configuration error: ${redisProblem}`);
      process.exit(1);
    }
    const { installLifecycle } = await import('./lib/http/lifecycle');
    installLifecycle();
  }
}
