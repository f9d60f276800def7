// Loaded with `node --import`: lets unit tests import server-only modules. The `server-only`
// package throws outside React Server Components by design; Node's test runner is a server too.
// tsx runs the tests as CommonJS, so an empty module placed in the require cache answers for it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const path = require.resolve('server-only');
require.cache[path] = { id: path, filename: path, loaded: true, exports: {}, children: [], paths: [] };
