/**
 * GET /metrics in the Prometheus text format, on the main port, for platform administrators
 * (their usual token) or a scraper holding METRICS_TOKEN (`Authorization: Bearer <token>`).
 * No credential is 401, a credential that is neither is 401 (invalid) or 403 (a valid user who
 * is not a platform administrator), in the standard error shape. Also records every request's
 * latency under its route pattern (never the raw URL, whose ids and query strings would make a
 * label per request).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { processMetrics, type Metrics } from '../metrics/index.js';
import { bearerOf } from './auth-hook.js';
import { forbidden, unauthorized } from './errors.js';
import type { App } from './types.js';

/** Route patterns kept as labels; everything else (the web app's static files) is `web`. */
const LABELLED_PREFIXES = ['/api/', '/health', '/metrics', '/simulate/', '/openapi.json', '/docs'];

export function routeLabel(req: FastifyRequest): string {
  const route = req.is404 ? undefined : req.routeOptions.url;
  if (!route) return 'unmatched';
  return LABELLED_PREFIXES.some((p) => route.startsWith(p)) ? route : 'web';
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Call before the routes are registered, so the latency hook sees every route. */
export function registerMetrics(app: App, metrics: Metrics, opts: { token: string | null }): void {
  // Event-loop delay is sampled from now on, so the first scrape already covers the time served.
  processMetrics();
  // Callback style: recording a latency needs no promise.
  app.addHook('onResponse', (req, reply, done) => {
    metrics.httpRequestDuration.observe({ method: req.method, route: routeLabel(req), status_code: reply.statusCode }, reply.elapsedTime / 1000);
    done();
  });

  app.get('/metrics', {
    // Access is checked here: a scraper's METRICS_TOKEN is not a user token the auth hook knows.
    config: { access: 'public' },
    schema: { hide: true },
    handler: async (req, reply) => {
      const bearer = bearerOf(req);
      const byToken = opts.token !== null && bearer !== undefined && sameSecret(bearer, opts.token);
      if (!byToken) {
        if (!req.auth) {
          if (bearer || req.headers['x-api-key']) throw unauthorized('the credential is not valid: send METRICS_TOKEN or a platform administrator\'s token');
          throw unauthorized('metrics need a credential: Authorization: Bearer <METRICS_TOKEN> or a platform administrator\'s token');
        }
        if (!req.auth.is_platform_admin) throw forbidden('metrics are for platform administrators (or a scraper holding METRICS_TOKEN)');
      }
      const text = await metrics.text();
      return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
    },
  });
}
