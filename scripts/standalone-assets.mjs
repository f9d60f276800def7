// Runs after `next build` (npm's postbuild): the standalone server serves public/ and .next/static
// only from its own folder, and Next leaves copying them there to the deployment.
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const standalone = path.join(root, '.next', 'standalone');
if (!existsSync(path.join(standalone, 'server.js'))) {
  console.error('standalone-assets: .next/standalone/server.js is missing; is `output: standalone` set?');
  process.exit(1);
}
for (const [from, to] of [
  [path.join(root, 'public'), path.join(standalone, 'public')],
  [path.join(root, '.next', 'static'), path.join(standalone, '.next', 'static')],
]) {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}
console.log('standalone-assets: copied public/ and .next/static into .next/standalone');
