import { Type } from 'typebox';
import {
  ChangePasswordBody,
  LoginBody,
  LogoutBody,
  OkBody,
  RefreshBody,
  RegisterBody,
  TokenResponse,
  UserView,
  errorResponses,
} from '@optibid/contracts';
import { authOf, requestMeta } from '../../http/auth-hook.js';
import type { App } from '../../http/types.js';
import type { AuthService } from './auth-service.js';

export function authRoutes(app: App, auth: AuthService): void {
  app.post('/api/auth/register', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: 'Create an account and an organisation you own', body: RegisterBody, response: { 201: TokenResponse, ...errorResponses } },
    handler: async (req, reply) => reply.code(201).send(await auth.register(req.body, requestMeta(req))),
  });

  app.post('/api/auth/login', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: 'Sign in', body: LoginBody, response: { 200: TokenResponse, ...errorResponses } },
    handler: async (req) => auth.login(req.body, requestMeta(req)),
  });

  app.post('/api/auth/refresh', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: 'Rotate a refresh token', body: RefreshBody, response: { 200: TokenResponse, ...errorResponses } },
    handler: async (req) => auth.refresh(req.body.refresh_token, requestMeta(req)),
  });

  app.post('/api/auth/logout', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: 'End the session', body: Type.Optional(LogoutBody), response: { 200: OkBody, ...errorResponses } },
    // A bodyless logout (the access token names the session) must not fail "body must be object".
    preValidation: async (req) => {
      if (req.body === undefined || req.body === null) req.body = {};
    },
    handler: async (req) => {
      await auth.logout(req.body?.refresh_token, req.auth);
      return { ok: true };
    },
  });

  app.get('/api/auth/me', {
    config: { access: 'authenticated' },
    schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: UserView, ...errorResponses } },
    handler: async (req) => auth.me(authOf(req)),
  });

  app.patch('/api/auth/me', {
    config: { access: 'authenticated' },
    schema: {
      tags: ['auth'],
      summary: 'Update your profile',
      body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false }),
      response: { 200: UserView, ...errorResponses },
    },
    handler: async (req) => auth.updateProfile(authOf(req), req.body, requestMeta(req)),
  });

  app.post('/api/auth/password', {
    config: { access: 'authenticated' },
    schema: { tags: ['auth'], summary: 'Change your password (needs the current one)', body: ChangePasswordBody, response: { 200: OkBody, ...errorResponses } },
    handler: async (req) => {
      await auth.changePassword(authOf(req), req.body.current_password, req.body.new_password, requestMeta(req));
      return { ok: true };
    },
  });
}
