/**
 * The headers every response carries, set by one synchronous onRequest hook: helmet's security
 * headers and the request id. Helmet's own answer is the same on every request (none of its
 * headers depends on the request once the CSP is off), so it is computed once, at start, by
 * running helmet itself against a recording response; @fastify/helmet instead rebuilt helmet's
 * middleware chain and ran it on every request, through Node's validating `setHeader`.
 */
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from './types.js';

/** Next.js's exported pages carry inline bootstrapping scripts, so the CSP is left to a reverse proxy. */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false };

/** The headers helmet sets with `options`, read off a response that records them. */
export function securityHeaders(options: Readonly<HelmetOptions> = HELMET_OPTIONS): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failed: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failed = err;
  });
  if (failed) throw failed;
  if (Object.keys(headers).length === 0) throw new Error('helmet set no headers');
  return Object.freeze(headers);
}

/** Installs the hook; headers set here stay on error answers too (Fastify drops only content-type/length). */
export function installResponseHeaders(app: App, options: Readonly<HelmetOptions> = HELMET_OPTIONS): void {
  const headers = securityHeaders(options);
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(headers);
    reply.header('x-request-id', req.id);
    done();
  });
}
