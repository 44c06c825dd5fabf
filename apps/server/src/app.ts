/**
 * Builds the Fastify application on the composition root's services
 * (services.ts): plugins, error shape, auth hook, OpenAPI, each module's routes
 * (handed only the services it needs) and the static web app. One port serves
 * the web app, the API, WebSocket, /docs and /health.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyError } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import multipart from '@fastify/multipart';
import { AppError } from './http/errors.js';
import { registerAuthHook } from './http/auth-hook.js';
import { registerMetrics } from './http/metrics-route.js';
import { describeValidationErrors, validatorCompiler } from './http/validation.js';
import { installInputGuards } from './http/input-guards.js';
import { installResponseHeaders } from './http/response-headers.js';
import { logRequests, requestIdOf, serverOptions } from './http/server-options.js';
import type { FastReplies } from './http/fast-replies.js';
import type { App } from './http/types.js';
import { registerAuth } from './modules/auth/index.js';
import { registerForecasting } from './modules/forecasting/index.js';
import { registerMarketData } from './modules/market-data/index.js';
import { registerOptimization } from './modules/optimization/index.js';
import { registerOrg } from './modules/org/index.js';
import { registerPlatform } from './modules/platform/index.js';
import { registerSystem } from './modules/system/index.js';
import { registerTrading } from './modules/trading/index.js';
import { registerRealtime } from './realtime/index.js';
import type { Services } from './services.js';
import type { Tally } from './metrics/tallied-histogram.js';
import { VERSION } from './version.js';
import { registerMarketFeed } from './modules/market-feed/index.js';

const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/out/', import.meta.url));
const NON_WEB_PREFIXES = ['/api/', '/health', '/docs', '/openapi.json', '/simulate/', '/metrics'];

export interface BuildOptions {
  /** Pino logger options, or false to silence (tests). */
  logger?: boolean | Record<string, unknown>;
}

export async function buildApp(s: Services, opts: BuildOptions = {}): Promise<App> {
  const logger = opts.logger ?? (s.config.logLevel === 'silent' ? false : { level: s.config.logLevel });
  const replies = s.priceReads.replies;
  const app = Fastify(serverOptions(s.config, logger, (req, res) => replies.serve(req, res))).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  installInputGuards(app, s.config);
  wireFastReplies(app, replies, s.metrics);

  s.log.attach(app.log);
  app.setValidatorCompiler(validatorCompiler);
  // Helmet's security headers (computed once; no CSP: see response-headers.ts) and the request id.
  installResponseHeaders(app);
  if (logger !== false) logRequests(app);
  await app.register(cors, {
    origin: s.config.corsOrigins.includes('*') ? true : [...s.config.corsOrigins],
    credentials: true,
    exposedHeaders: ['x-request-id', 'retry-after'],
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'OptiBid API', version: VERSION, description: 'Energy-market bidding: market data, forecasts, optimisation, bids, clearing, settlement.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
      security: [{ bearer: [] }],
    },
    // Each operation names the access it needs, so clients (and the fuzz suite) can tell organisation-scoped routes apart.
    transform: ({ schema, url, route }) => ({ url, schema: { ...schema, 'x-access': route.config?.access ?? (url.startsWith('/api/') ? 'authenticated' : 'public') } as typeof schema }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Price imports pass their own caps per request (modules/market-data/import-upload.ts).
  await app.register(multipart, { limits: { fileSize: s.config.imports.maxFileBytes + 1, files: s.config.imports.maxFiles + 1 } });

  installErrorHandling(app);
  registerAuthHook(app, (credential) => s.auth.authenticateCredential(credential));
  registerMetrics(app, s.metrics, { token: s.config.metricsToken });

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  registerSystem(app, s.system);
  registerAuth(app, s);
  registerOrg(app, s.org);
  registerMarketData(app, s.markets, s.imports, s.priceReads, { publicMarketData: s.config.publicMarketData });
  registerMarketFeed(app, s);
  registerTrading(app, { ...s.trading, markets: s.markets, flags: s.platform.flags });
  registerForecasting(app, s.forecasting, s.health);
  await registerOptimization(app, s.optimization);
  await registerPlatform(app, s, s.platform);
  await registerRealtime(app, s, s.realtime, (token) => s.auth.authenticate(token));

  await registerWeb(app, s.config.webDir ?? DEFAULT_WEB_DIR);
  // A serving app claims durable jobs (backtests); stopping hands running ones back to the queue.
  app.addHook('onReady', async () => s.jobs.start());
  app.addHook('onClose', async () => {
    await s.jobs.stop();
  });
  return app;
}

/**
 * Replays of cached anonymous reads (http/fast-replies.ts) get the pipeline's request id and
 * latency metric; they stop when the server starts closing (Fastify answers 503 then) and are
 * off when every request is logged (LOG_LEVEL=debug: the access log stays complete).
 */
function wireFastReplies(app: App, replies: FastReplies, metrics: Services['metrics']): void {
  // One tally per route and status (metrics/tallied-histogram.ts): prom-client's observe hashes its labels every time.
  const tallies = new Map<string, Tally>();
  replies.configure({
    requestId: requestIdOf,
    observe: (route, status, seconds) => {
      const key = `${status} ${route}`;
      let tally = tallies.get(key);
      if (tally === undefined) tallies.set(key, (tally = metrics.httpRequestDuration.tally({ method: 'GET', route, status_code: status })));
      tally.observe(seconds);
    },
  });
  replies.enabled = app.log.level !== 'debug' && app.log.level !== 'trace';
  app.addHook('preClose', (done) => {
    replies.enabled = false;
    done();
  });
}

function installErrorHandling(app: App): void {
  app.setErrorHandler((err: FastifyError & { validationContext?: string }, req, reply) => {
    if (err instanceof AppError) {
      if (err.headers) reply.headers(err.headers);
      return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message, details: err.details, request_id: req.id } });
    }
    if (err.validation) {
      const details = describeValidationErrors(err.validation, err.validationContext ?? 'body');
      const first = details[0];
      const message = first ? `${err.validationContext ?? 'request'}: ${first.field} ${first.message}` : 'request is invalid';
      return reply.code(400).send({ error: { code: 'validation_failed', message, details, request_id: req.id } });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && err.statusCode === 400)) {
      return reply.code(400).send({ error: { code: 'invalid_json', message: `body is not valid JSON: ${err.message}`, request_id: req.id } });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 429 ? 'rate_limited' : 'bad_request';
      return reply.code(status).send({ error: { code, message: err.message, request_id: req.id } });
    }
    req.log.error({ err, request_id: req.id }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'internal_error', message: `internal error (request ${req.id})`, request_id: req.id } });
  });
}

async function registerWeb(app: App, webDir: string): Promise<void> {
  const hasWeb = fs.existsSync(path.join(webDir, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: webDir, wildcard: false, index: ['index.html'] });

  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0]!;
    const isWebRoute = (req.method === 'GET' || req.method === 'HEAD') && !NON_WEB_PREFIXES.some((p) => url.startsWith(p));
    if (isWebRoute && hasWeb) {
      const clean = path.posix.normalize(decodeURIComponent(url)).replace(/\/+$/, '');
      for (const candidate of [`${clean}.html`, `${clean}/index.html`]) {
        const file = path.join(webDir, candidate);
        if (file.startsWith(webDir) && fs.existsSync(file)) return reply.type('text/html').sendFile(candidate);
      }
      // Every page is its own exported file; anything else is the web app's 404 page.
      if (!path.posix.extname(clean) && fs.existsSync(path.join(webDir, '404.html'))) return reply.code(404).type('text/html').sendFile('404.html');
    }
    if (isWebRoute && !hasWeb && url === '/') {
      return reply.type('text/html').send('<h1>OptiBid</h1><p>The web app is not built. Run <code>npm run build</code>; the API is at <a href="/docs">/docs</a>.</p>');
    }
    return reply.code(404).send({ error: { code: 'not_found', message: `route ${req.method} ${url} not found`, request_id: req.id } });
  });
}
