// Loaded with `node --import`: lets unit tests import server-only modules. The `server-only`
// package throws outside React Server Components by design; Node's test runner is a server too.
// tsx runs the tests as CommonJS, so an empty module placed in the require cache answers for it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const path = require.resolve('server-only');
require.cache[path] = { id: path, filename: path, loaded: true, exports: {}, children: [], paths: [] };

// Some ESM-only packages (remend) export only an `import` condition, which `require` cannot pick
// even though Node 20.19+ can require ES modules. Resolve those the way `import` would.
const { Module } = await import('node:module');
const { fileURLToPath } = await import('node:url');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  try {
    return resolveFilename.call(this, request, ...rest);
  } catch (error) {
    if (error?.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error;
    return fileURLToPath(import.meta.resolve(request));
  }
};
