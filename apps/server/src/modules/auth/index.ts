/**
 * Accounts and sign-in: registration, tokens, sessions, API-key and MFA hooks
 * (AuthService), and account security (MFA, password reset, sessions:
 * SecurityService). The services are built by the composition root.
 */
import type { App } from '../../http/types.js';
import { authRoutes } from './auth-routes.js';
import type { AuthService } from './auth-service.js';
import { securityRoutes } from './security-routes.js';
import type { SecurityService } from './security-service.js';

export { API_KEY_PREFIX, AuthService } from './auth-service.js';
export { SecurityService } from './security-service.js';
export { sha256, verifyPassword } from './crypto.js';

/** Sign-in, tokens and account-security routes. */
export function registerAuth(app: App, s: { auth: AuthService; security: SecurityService }): void {
  authRoutes(app, s.auth);
  securityRoutes(app, s.security);
}
