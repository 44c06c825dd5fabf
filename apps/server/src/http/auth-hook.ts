/**
 * Resolves the caller on every request and enforces the access each route
 * declares in `config.access`: no token → 401, a token without the permission
 * → 403. Tenancy (another organisation's resource → 404) is the services' job,
 * since every repository query is scoped by the caller's organisation.
 */
import { can } from '@optibid/core';
import type { FastifyRequest } from 'fastify';
import { AppError, forbidden, unauthorized } from './errors.js';
import type { App } from './types.js';
import type { AuthContext, RequestMeta, RouteAccess } from './auth-context.js';

/** What a user whose organisation requires MFA may still do before enrolling. */
const MFA_PENDING_ALLOWED = ['/api/auth/me', '/api/auth/mfa/', '/api/auth/logout', '/api/auth/sessions', '/api/features', '/api/notifications'];

export type Authenticator = (credential: { bearer?: string; apiKey?: string }) => Promise<AuthContext>;

export function bearerOf(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h);
  return m ? m[1]!.trim() : undefined;
}

export function requestMeta(request: FastifyRequest): RequestMeta {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, user_agent: typeof ua === 'string' ? ua.slice(0, 500) : null };
}

export function registerAuthHook(app: App, authenticate: Authenticator): void {
  app.decorateRequest('auth', null);
  // Callback style, so that an anonymous read of a public route (the market data screens poll)
  // passes without a promise, a database or a cache: there is no credential to look up.
  app.addHook('preHandler', (request, _reply, done) => {
    // Unknown routes answer 404 whoever asks.
    if (request.is404) return done();
    const access = request.routeOptions.config?.access ?? (request.url.startsWith('/api/') ? 'authenticated' : 'public');
    const bearer = bearerOf(request);
    const given = request.headers['x-api-key'];
    const apiKey = typeof given === 'string' ? given : undefined;
    if (access === 'public') {
      if (!bearer && !apiKey) return done();
      // Public routes still learn who is calling when a valid token is sent.
      authenticate({ bearer, apiKey }).then(
        (auth) => {
          request.auth = auth;
          done();
        },
        () => done(),
      );
      return;
    }
    if (!bearer && !apiKey) return done(unauthorized('authentication required: send Authorization: Bearer <token>'));
    authenticate({ bearer, apiKey }).then((auth) => {
      request.auth = auth;
      done(refusal(request, access, auth) ?? undefined);
    }, done);
  });
}

/** Why `auth` may not call a route needing `access`, or null when it may. */
function refusal(request: FastifyRequest, access: Exclude<RouteAccess, 'public'>, auth: AuthContext): AppError | null {
  if (auth.mfa_pending) {
    const url = request.routeOptions.url ?? request.url;
    if (!MFA_PENDING_ALLOWED.some((p) => url.startsWith(p))) {
      return new AppError(403, 'mfa_enrollment_required', 'your organisation requires two-factor authentication: enrol at /api/auth/mfa/enroll, then refresh your session');
    }
  }
  if (access === 'authenticated') return null;
  if (access === 'platform_admin') return auth.is_platform_admin ? null : forbidden('this action needs a platform administrator');
  if (!can(auth.role, access)) return forbidden(`your role (${auth.role}) does not have the permission ${access}`);
  return null;
}

/** The caller of an authenticated route; the hook guarantees it is set. */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw unauthorized();
  return request.auth;
}

/** Where links in mail point (PUBLIC_URL). */
export function originOf(req: FastifyRequest): string {
  // PUBLIC_URL, never the request's (client-chosen) Host or X-Forwarded-Host.
  return req.server.publicOrigin;
}
