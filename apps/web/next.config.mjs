// @ts-check
import { PHASE_DEVELOPMENT_SERVER } from 'next/constants.js';

/**
 * Production builds are a static export (apps/web/out) served by the Fastify server.
 * `next dev` cannot combine `output: 'export'` with rewrites, so the dev server
 * skips the export and proxies the API to the server on 8000 instead.
 * @param {string} phase
 * @returns {import('next').NextConfig}
 */
export default function config(phase) {
  /** @type {import('next').NextConfig} */
  const base = {
    reactStrictMode: true,
    // `/login` → out/login.html (no trailing slash); the server maps paths to `<path>.html`.
    trailingSlash: false,
    poweredByHeader: false,
    images: { unoptimized: true },
  };
  if (phase === PHASE_DEVELOPMENT_SERVER) {
    const api = process.env.OPTIBID_API_URL ?? 'http://127.0.0.1:8000';
    return {
      ...base,
      async rewrites() {
        return [
          { source: '/api/:path*', destination: `${api}/api/:path*` },
          { source: '/health', destination: `${api}/health` },
          { source: '/health/:path*', destination: `${api}/health/:path*` },
          { source: '/ws', destination: `${api}/ws` },
        ];
      },
    };
  }
  return { ...base, output: 'export' };
}
