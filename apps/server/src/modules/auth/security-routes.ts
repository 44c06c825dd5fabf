import { Type } from 'typebox';
import {
  IdParams,
  MfaCodeBody,
  MfaDisableBody,
  MfaEnrollResponse,
  MfaStatus,
  MfaVerifyResponse,
  OkBody,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
  SessionView,
  errorResponses,
} from '@optibid/contracts';
import { authOf, originOf, requestMeta } from '../../http/auth-hook.js';
import type { App } from '../../http/types.js';
import type { SecurityService } from './security-service.js';

export function securityRoutes(app: App, security: SecurityService): void {
  const tags = ['account security'];

  app.get('/api/auth/mfa', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Your two-factor status', response: { 200: MfaStatus, ...errorResponses } },
    handler: async (req) => security.mfaStatus(authOf(req)),
  });

  app.post('/api/auth/mfa/enroll', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Start TOTP enrolment: a secret and its otpauth:// URI for a QR code', response: { 200: MfaEnrollResponse, ...errorResponses } },
    handler: async (req) => security.enroll(authOf(req)),
  });

  app.post('/api/auth/mfa/verify', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Confirm enrolment with a first code; returns recovery codes once', body: MfaCodeBody, response: { 200: MfaVerifyResponse, ...errorResponses } },
    handler: async (req) => security.confirmEnrollment(authOf(req), req.body.code, requestMeta(req)),
  });

  app.post('/api/auth/mfa/disable', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Turn two-factor off (needs the password and a code)', body: MfaDisableBody, response: { 200: OkBody, ...errorResponses } },
    handler: async (req) => {
      await security.disable(authOf(req), req.body.password, req.body.code, requestMeta(req));
      return { ok: true };
    },
  });

  app.post('/api/auth/password-reset/request', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Email a single-use reset link (the answer is the same whether or not the email has an account)',
      body: PasswordResetRequestBody,
      response: { 202: OkBody, ...errorResponses },
    },
    handler: async (req, reply) => {
      await security.requestPasswordReset(req.body.email, requestMeta(req), originOf(req));
      return reply.code(202).send({ ok: true });
    },
  });

  app.post('/api/auth/password-reset/confirm', {
    config: { access: 'public' },
    schema: { tags, summary: 'Set a new password with a reset token; every session ends', body: PasswordResetConfirmBody, response: { 200: OkBody, ...errorResponses } },
    handler: async (req) => {
      await security.confirmPasswordReset(req.body.token, req.body.new_password, requestMeta(req));
      return { ok: true };
    },
  });

  app.get('/api/auth/sessions', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Your live sessions', response: { 200: Type.Object({ items: Type.Array(SessionView) }), ...errorResponses } },
    handler: async (req) => ({ items: await security.sessions(authOf(req)) }),
  });

  app.delete('/api/auth/sessions/:id', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'End one of your sessions (its tokens stop working at once)', params: IdParams, response: { 200: OkBody, ...errorResponses } },
    handler: async (req) => {
      await security.revokeSession(authOf(req), req.params.id, requestMeta(req));
      return { ok: true };
    },
  });
}
