/**
 * The Fastify server options that are about safety rather than features:
 * which proxies are believed, how large a body and a path parameter may be,
 * router errors in the one error shape, and a logger that never writes a
 * secret (bearer tokens, API keys, `?token=` in URLs, password hashes in
 * failed-query errors).
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { LogController } from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerFactory, FastifyServerOptions, RouteOptions } from 'fastify';
import type { Config } from '../config/index.js';

/** Default request body limit: a week of hourly bids or prices is far below it. */
export const DEFAULT_BODY_LIMIT_BYTES = 2 * 1024 * 1024;
/** Sign-in, registration, password and MFA bodies are a few fields. */
export const AUTH_BODY_LIMIT_BYTES = 8 * 1024;
/** Longest path parameter the router accepts (ids are 36 characters); longer → 414. */
export const MAX_PARAM_LENGTH = 200;

/** The body limit a route gets unless it declares its own (price imports declare theirs: IMPORT_MAX_REQUEST_MB). */
export function bodyLimitFor(url: string): number {
  if (url.startsWith('/api/auth/')) return AUTH_BODY_LIMIT_BYTES;
  return DEFAULT_BODY_LIMIT_BYTES;
}

/** Per-route body limits for every route registered after this runs. */
export function applyRouteBodyLimit(route: RouteOptions): void {
  route.bodyLimit ??= bodyLimitFor(route.url);
}

const REDACTED = '[redacted]';
/** Object keys whose values are secrets wherever they appear in a log line. */
const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|authorization|cookie|hash|otp|mfa_code|totp/i;
/** Secrets recognisable by their form, wherever they appear in text, and what replaces them. */
const SECRET_TEXT: [RegExp, string][] = [
  [/\$argon2(id|i|d)\$[^\s'",)]+/g, REDACTED], // password hashes
  [/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, REDACTED], // JWTs
  [/obk_[\w-]+/g, REDACTED], // API keys
  [/([?&](?:token|access_token|refresh_token|api_key|key)=)[^&\s'"]+/gi, `$1${REDACTED}`],
  [/(token:\s*)[\w-]{16,}/gi, `$1${REDACTED}`], // "Reset token: …" in mail text
];

/** Text with every recognisable secret replaced. */
export function scrubText(text: string): string {
  let out = text;
  for (const [re, by] of SECRET_TEXT) out = out.replace(re, by);
  return out;
}

/** A copy of a value with secret-named keys redacted and secrets in strings scrubbed (depth-limited). */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined ? REDACTED : scrubValue(v, depth + 1);
  return out;
}

/** Keys pino's own serializers handle (request, reply, error objects are not plain data). */
const SERIALIZED_KEYS = new Set(['req', 'res', 'err', 'error']);

function scrubLogArg(arg: unknown): unknown {
  if (typeof arg === 'string') return scrubText(arg);
  if (arg === null || typeof arg !== 'object' || arg instanceof Error || Object.getPrototypeOf(arg) !== Object.prototype) return arg;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(arg)) out[k] = SERIALIZED_KEYS.has(k) ? v : SECRET_KEY.test(k) && v !== null && v !== undefined ? REDACTED : scrubValue(v);
  return out;
}

/** An error as pino would write it, scrubbed: failed-query errors carry the query's parameters in their message. */
function errSerializer(err: Error & Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> = { type: err.constructor?.name ?? 'Error', message: scrubText(String(err.message ?? '')), stack: scrubText(String(err.stack ?? '')) };
  for (const [k, v] of Object.entries(err)) if (!(k in base)) base[k] = SECRET_KEY.test(k) ? REDACTED : scrubValue(v);
  if (err.cause instanceof Error) base.cause = errSerializer(err.cause as Error & Record<string, unknown>);
  return base;
}

function reqSerializer(req: FastifyRequest['raw'] & { ip?: string; socket?: { remoteAddress?: string } }): Record<string, unknown> {
  return { method: req.method, url: scrubText(req.url ?? ''), remoteAddress: req.socket?.remoteAddress };
}

/** Logger options with redaction on top of whatever level/stream the caller chose. */
export function loggerOptions(logger: boolean | Record<string, unknown>): boolean | Record<string, unknown> {
  if (logger === false) return false;
  const given = logger === true ? {} : logger;
  return {
    ...given,
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'headers.authorization', 'headers["x-api-key"]'], censor: REDACTED },
    serializers: { ...((given.serializers as object) ?? {}), req: reqSerializer, err: errSerializer, error: errSerializer },
    hooks: {
      // Scrubs the free-form objects services log ({reset_url}, {mail: {text}} …) as well as the message.
      logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map(scrubLogArg));
      },
    },
  };
}

/** Router-level errors (bad percent-encoding, over-long parameters) in the documented error shape. */
function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const code = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'uri_too_long' : err.code === 'FST_ERR_BAD_URL' ? 'bad_url' : 'bad_request';
  const message = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? `a path parameter is longer than ${MAX_PARAM_LENGTH} characters` : err.code === 'FST_ERR_BAD_URL' ? 'the path is not valid percent-encoding' : err.message;
  void reply.code(status).header('x-request-id', req.id).send({ error: { code, message, request_id: req.id } });
}

/** A request's id: the caller's `X-Request-Id` when it is a plain token, else a new UUID. */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w-]{1,100}$/.test(given) ? given : randomUUID();
}

/** Answers a request without Fastify and returns true, or returns false (Fastify answers it). */
export type AnswerFirst = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The HTTP server Fastify would create (same timeouts), whose requests `first` may answer before
 * Fastify sees them (http/fast-replies.ts); WebSocket upgrades and everything else are Fastify's.
 */
export function serverAnsweringFirst(first: AnswerFirst): FastifyServerFactory {
  return (handler, given) => {
    // Fastify hands the factory its options with their defaults filled in.
    const opts = given as { http?: http.ServerOptions; keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number; maxRequestsPerSocket?: number };
    const server = http.createServer(opts.http ?? {}, (req, res) => {
      if (!first(req, res)) handler(req, res);
    });
    server.keepAliveTimeout = opts.keepAliveTimeout ?? 72_000;
    server.requestTimeout = opts.requestTimeout ?? 0;
    server.setTimeout(opts.connectionTimeout ?? 0);
    if (opts.maxRequestsPerSocket) server.maxRequestsPerSocket = opts.maxRequestsPerSocket;
    return server;
  };
}

export function serverOptions(config: Pick<Config, 'trustProxy'>, logger: boolean | Record<string, unknown>, first?: AnswerFirst): FastifyServerOptions {
  return {
    ...(first ? { serverFactory: serverAnsweringFirst(first) } : {}),
    logger: loggerOptions(logger),
    // Pino's two lines per request (incoming, completed) cost more than a cached read itself:
    // one line per request is written by logRequests below, only when it says something.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    // Off unless configured: otherwise any client could choose its own address (rate limits) and host (links).
    trustProxy: (typeof config.trustProxy === 'object' ? [...config.trustProxy] : config.trustProxy) as FastifyServerOptions['trustProxy'],
    bodyLimit: DEFAULT_BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
  };
}

/** A request taking this long is logged whatever the level (warn), as is every 5xx (error). */
export const SLOW_REQUEST_MS = 1000;

/**
 * One line per finished request, with its request id (`reqId`): 5xx answers at error, slow ones at
 * warn, every other one at debug (LOG_LEVEL=debug gives a full access log; at info a successful or
 * refused request writes nothing).
 */
export function logRequests(app: FastifyInstance): void {
  const everyRequest = app.log.level === 'debug' || app.log.level === 'trace';
  app.addHook('onResponse', (req, reply, done) => {
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    if (status >= 500) req.log.error({ req, status_code: status, response_time_ms: ms }, 'request completed');
    else if (ms >= SLOW_REQUEST_MS) req.log.warn({ req, status_code: status, response_time_ms: ms }, 'slow request completed');
    else if (everyRequest) req.log.debug({ req, status_code: status, response_time_ms: ms }, 'request completed');
    done();
  });
}
