import { Type } from 'typebox';
import {
  AcceptInvitationBody,
  ApiKeyView,
  ChangeMemberBody,
  CreateApiKeyBody,
  CreateInvitationBody,
  CreatedApiKey,
  CreatedInvitation,
  ErrorBody,
  IdParams,
  InvitationPreview,
  InvitationPreviewQuery,
  InvitationView,
  OkBody,
  OrgSettingsPatch,
  OrgSettingsView,
  TokenResponse,
  UserIdParams,
  errorResponses,
} from '@optibid/contracts';
import { authOf, originOf, requestMeta } from '../../http/auth-hook.js';
import type { App } from '../../http/types.js';
import type { ApiKeyService } from './api-key-service.js';
import type { MemberService } from './member-service.js';
import type { OrganizationService } from './organization-service.js';

const errors = { ...errorResponses, 410: ErrorBody };

export function orgAdminRoutes(
  app: App,
  deps: { orgs: OrganizationService; members: MemberService; apiKeys: ApiKeyService },
): void {
  const { orgs, members, apiKeys } = deps;
  const tags = ['organisation'];

  app.patch('/api/org/members/:user_id', {
    config: { access: 'org:manage' },
    schema: { tags, summary: "Change a member's role or deactivate/reactivate them", params: UserIdParams, body: ChangeMemberBody, response: { 200: OkBody, ...errors } },
    handler: async (req) => {
      await members.update(authOf(req), req.params.user_id, req.body, requestMeta(req));
      return { ok: true };
    },
  });

  app.delete('/api/org/members/:user_id', {
    config: { access: 'org:manage' },
    schema: { tags, summary: 'Deactivate a member: their sessions end at once', params: UserIdParams, response: { 200: OkBody, ...errors } },
    handler: async (req) => {
      await members.deactivate(authOf(req), req.params.user_id, requestMeta(req));
      return { ok: true };
    },
  });

  app.post('/api/org/leave', {
    config: { access: 'org:read' },
    schema: { tags, summary: 'Leave the organisation (the last owner cannot)', response: { 200: OkBody, ...errors } },
    handler: async (req) => {
      await members.leave(authOf(req), requestMeta(req));
      return { ok: true };
    },
  });

  app.get('/api/org/invitations', {
    config: { access: 'org:manage' },
    schema: { tags, summary: 'Invitations of your organisation', response: { 200: Type.Object({ items: Type.Array(InvitationView) }), ...errors } },
    handler: async (req) => ({ items: await members.listInvitations(authOf(req)) }),
  });

  app.post('/api/org/invitations', {
    config: { access: 'org:manage' },
    schema: {
      tags,
      summary: 'Invite someone by email with a role (mailed when SMTP is configured, otherwise the token is returned)',
      body: CreateInvitationBody,
      response: { 201: CreatedInvitation, ...errors },
    },
    handler: async (req, reply) => reply.code(201).send(await members.invite(authOf(req), req.body, requestMeta(req), originOf(req))),
  });

  app.delete('/api/org/invitations/:id', {
    config: { access: 'org:manage' },
    schema: { tags, summary: 'Revoke a pending invitation', params: IdParams, response: { 200: InvitationView, ...errors } },
    handler: async (req) => members.revokeInvitation(authOf(req), req.params.id, requestMeta(req)),
  });

  app.get('/api/org/invitations/preview', {
    config: { access: 'public' },
    schema: { tags, summary: 'What an invitation token is for (organisation, email, role)', querystring: InvitationPreviewQuery, response: { 200: InvitationPreview, ...errors } },
    handler: async (req) => members.preview(req.query.token),
  });

  app.post('/api/org/invitations/accept', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Accept an invitation with an existing account (password) or a new one (name and password)',
      body: AcceptInvitationBody,
      response: { 200: TokenResponse, ...errors },
    },
    handler: async (req) => members.accept(req.body, requestMeta(req)),
  });

  app.get('/api/org/settings', {
    config: { access: 'org:read' },
    schema: { tags, summary: 'Your organisation: name, MFA requirement, plan', response: { 200: OrgSettingsView, ...errors } },
    handler: async (req) => orgs.settings(authOf(req).organization_id),
  });

  app.patch('/api/org/settings', {
    config: { access: 'org:manage' },
    schema: { tags, summary: 'Rename the organisation or require two-factor sign-in for its members', body: OrgSettingsPatch, response: { 200: OrgSettingsView, ...errors } },
    handler: async (req) => orgs.changeSettings(authOf(req), req.body, requestMeta(req)),
  });

  app.get('/api/org/api-keys', {
    config: { access: 'org:manage' },
    schema: { tags, summary: 'API keys of your organisation (never the key itself)', response: { 200: Type.Object({ items: Type.Array(ApiKeyView) }), ...errors } },
    handler: async (req) => ({ items: await apiKeys.list(authOf(req)) }),
  });

  app.post('/api/org/api-keys', {
    config: { access: 'org:manage' },
    schema: {
      tags,
      summary: 'Create an API key with scopes (read, trade); the key is shown once',
      description: 'Send it as `X-API-Key: <key>` or `Authorization: Bearer <key>`. read acts as a viewer, trade as a trader, never above your own role.',
      body: CreateApiKeyBody,
      response: { 201: CreatedApiKey, ...errors },
    },
    handler: async (req, reply) => reply.code(201).send(await apiKeys.create(authOf(req), req.body, requestMeta(req))),
  });

  app.delete('/api/org/api-keys/:id', {
    config: { access: 'org:manage' },
    schema: { tags, summary: 'Revoke an API key: it stops working at once', params: IdParams, response: { 200: ApiKeyView, ...errors } },
    handler: async (req) => apiKeys.revoke(authOf(req), req.params.id, requestMeta(req)),
  });
}
