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
import type { AuthContext, RequestMeta } from './auth-context.js';

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
  app.addHook('preHandler', async (request) => {
    // Unknown routes answer 404 whoever asks.
    if (request.is404) return;
    const access = request.routeOptions.config?.access ?? (request.url.startsWith('/api/') ? 'authenticated' : 'public');
    const bearer = bearerOf(request);
    const apiKey = typeof request.headers['x-api-key'] === 'string' ? request.headers['x-api-key'] : undefined;
    if (access === 'public') {
      // Public routes still learn who is calling when a valid token is sent.
      if (bearer || apiKey) request.auth = await authenticate({ bearer, apiKey }).catch(() => null);
      return;
    }
    if (!bearer && !apiKey) throw unauthorized('authentication required: send Authorization: Bearer <token>');
    request.auth = await authenticate({ bearer, apiKey });
    if (request.auth.mfa_pending) {
      const url = request.routeOptions.url ?? request.url;
      if (!MFA_PENDING_ALLOWED.some((p) => url.startsWith(p))) {
        throw new AppError(403, 'mfa_enrollment_required', 'your organisation requires two-factor authentication: enrol at /api/auth/mfa/enroll, then refresh your session');
      }
    }
    if (access === 'authenticated') return;
    if (access === 'platform_admin') {
      if (!request.auth.is_platform_admin) throw forbidden('this action needs a platform administrator');
      return;
    }
    if (!can(request.auth.role, access)) {
      throw forbidden(`your role (${request.auth.role}) does not have the permission ${access}`);
    }
  });
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
