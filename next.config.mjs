import createNextIntlPlugin from 'next-intl/plugin';

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `next dev` serves its scripts to localhost only; 127.0.0.1 is the same machine.
  allowedDevOrigins: ['127.0.0.1'],
  // `next build` also writes .next/standalone: a server.js and the traced node_modules it needs,
  // which is what a Node host runs (see the README's "Deploying"). `next start` keeps working.
  output: 'standalone',
};

// Texts live in messages/*.json; i18n/request.ts picks the reader's language for each request.
export default createNextIntlPlugin('./i18n/request.ts')(nextConfig);
