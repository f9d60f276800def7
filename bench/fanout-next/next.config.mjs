import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The framework's floor for `npm run bench:fanout`: a Next app with one route handler and nothing
// else, built from this folder with the project's own node_modules (two levels up).
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  turbopack: { root },
  outputFileTracingRoot: root,
};

export default nextConfig;
