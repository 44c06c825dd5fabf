/**
 * Checks every request's parsed input (path parameters, query string, JSON
 * body) before schema validation, whatever the route: PostgreSQL cannot store
 * a NUL character in text, and JSON parses 1e309 to Infinity, which no column
 * or calculation accepts. Both answer 400 here instead of failing deeper.
 */
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';
import { AppError } from './errors.js';
import { applyRouteBodyLimit } from './server-options.js';
import type { App } from './types.js';

/** Nesting deeper than this is refused rather than walked (no contract nests near it). */
const MAX_DEPTH = 64;

interface Offence {
  field: string;
  code: 'invalid_character' | 'invalid_number' | 'too_deep';
  message: string;
}

function findOffence(value: unknown, field: string, depth: number): Offence | null {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? { field, code: 'invalid_character', message: 'must not contain a NUL character (\\u0000)' } : null;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? null : { field, code: 'invalid_number', message: 'must be a finite number' };
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth > MAX_DEPTH) return { field, code: 'too_deep', message: `nests deeper than ${MAX_DEPTH} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const o = findOffence(value[i], `${field}[${i}]`, depth + 1);
      if (o) return o;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    const name = field ? `${field}.${k}` : k;
    if (k.includes('\u0000')) return { field: name, code: 'invalid_character', message: 'has a NUL character in its name' };
    const o = findOffence(v, name, depth + 1);
    if (o) return o;
  }
  return null;
}

/** The first NUL character or non-finite number in a request's input, as a 400. */
export function checkRequestInput(req: Pick<FastifyRequest, 'params' | 'query' | 'body'>): AppError | null {
  for (const [part, value] of [['params', req.params], ['query', req.query], ['body', req.body]] as const) {
    const o = findOffence(value, '', 0);
    if (o) {
      const field = o.field || part;
      return new AppError(400, o.code, `${part}: ${field} ${o.message}`, [{ field, message: o.message }]);
    }
  }
  return null;
}

/**
 * Installs, before any route is registered: per-route body limits, the input
 * check above, and the public origin every link the server writes starts with.
 */
export function installInputGuards(app: App, config: Pick<Config, 'publicUrl' | 'port'>): void {
  app.addHook('onRoute', applyRouteBodyLimit);
  // Callback style: a hook that finds nothing costs no promise.
  app.addHook('preValidation', (req, _reply, done) => {
    done(checkRequestInput(req) ?? undefined);
  });
  // Never the request's Host or X-Forwarded-Host: a client could point a reset link at its own site.
  app.decorate('publicOrigin', config.publicUrl ?? `http://localhost:${config.port}`);
}
