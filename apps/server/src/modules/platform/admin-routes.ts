/** The platform admin console: overview, organisations, users, system, audit. Platform admins only. */
import { Type } from 'typebox';
import {
  AdminMembershipParams,
  AdminMembershipPatch,
  AdminOrganizationDetail,
  AdminOrganizationPatch,
  AdminOrganizationView,
  AdminOverview,
  AdminSystem,
  AdminUserDetail,
  AdminUserPatch,
  AdminUserView,
  AuditEntryView,
  AuditQuery,
  IdParams,
  OkBody,
  SearchQuery,
  errorResponses,
} from '@optibid/contracts';
import { authOf, requestMeta } from '../../http/auth-hook.js';
import type { App } from '../../http/types.js';
import type { Actor, AdminService, InstanceProbes } from './admin-service.js';

const access = { access: 'platform_admin' as const };
const tags = ['admin'];

/** The audit row's actor: the signed-in admin and the request's address. */
export const actorOf = (req: Parameters<typeof requestMeta>[0]): Actor => ({ auth: authOf(req), meta: requestMeta(req) });

export function adminRoutes(app: App, admin: AdminService, probes: InstanceProbes): void {
  app.get('/api/admin/overview', {
    config: access,
    schema: { tags, summary: 'Platform at a glance', response: { 200: AdminOverview, ...errorResponses } },
    handler: async () => admin.overview(probes),
  });

  app.get('/api/admin/organizations', {
    config: access,
    schema: { tags, summary: 'Search organisations by name or id', querystring: SearchQuery, response: { 200: Type.Object({ items: Type.Array(AdminOrganizationView) }), ...errorResponses } },
    handler: async (req) => ({ items: await admin.searchOrganizations(req.query.q?.trim() || undefined, req.query.limit ?? 50, req.query.offset ?? 0) }),
  });

  app.get('/api/admin/organizations/:id', {
    config: access,
    schema: { tags, summary: 'An organisation with its members and usage', params: IdParams, response: { 200: AdminOrganizationDetail, ...errorResponses } },
    handler: async (req) => admin.organization(req.params.id),
  });

  app.patch('/api/admin/organizations/:id', {
    config: access,
    schema: { tags, summary: 'Rename an organisation or set its MFA requirement', params: IdParams, body: AdminOrganizationPatch, response: { 200: AdminOrganizationDetail, ...errorResponses } },
    handler: async (req) => admin.changeOrganization(actorOf(req), req.params.id, req.body),
  });

  app.get('/api/admin/users', {
    config: access,
    schema: { tags, summary: 'Search users by email or name', querystring: SearchQuery, response: { 200: Type.Object({ items: Type.Array(AdminUserView) }), ...errorResponses } },
    handler: async (req) => ({ items: await admin.searchUsers(req.query.q?.trim() || undefined, req.query.limit ?? 50, req.query.offset ?? 0) }),
  });

  app.get('/api/admin/users/:id', {
    config: access,
    schema: { tags, summary: 'A user with memberships and live sessions', params: IdParams, response: { 200: AdminUserDetail, ...errorResponses } },
    handler: async (req) => admin.user(req.params.id),
  });

  app.patch('/api/admin/users/:id', {
    config: access,
    schema: { tags, summary: 'Deactivate or reactivate a user, grant or remove platform admin', params: IdParams, body: AdminUserPatch, response: { 200: AdminUserDetail, ...errorResponses } },
    handler: async (req) => admin.changeUser(actorOf(req), req.params.id, req.body),
  });

  app.patch('/api/admin/users/:id/memberships/:organization_id', {
    config: access,
    schema: { tags, summary: "Change a user's role in an organisation or deactivate the membership", params: AdminMembershipParams, body: AdminMembershipPatch, response: { 200: AdminUserDetail, ...errorResponses } },
    handler: async (req) => admin.changeMembership(actorOf(req), req.params.id, req.params.organization_id, req.body),
  });

  app.get('/api/admin/system', {
    config: access,
    schema: { tags, summary: "Each service's health and latency, version, uptime, configuration (no secrets), recent errors", response: { 200: AdminSystem, ...errorResponses } },
    handler: async () => admin.system(probes),
  });

  app.get('/api/admin/audit', {
    config: access,
    schema: { tags, summary: 'The audit log of every organisation (and sign-in events without one)', querystring: AuditQuery, response: { 200: Type.Object({ items: Type.Array(AuditEntryView) }), ...errorResponses } },
    handler: async (req) => ({ items: await admin.audit(req.query) }),
  });

  app.post('/api/admin/usage/flush', {
    config: access,
    schema: { tags, summary: 'Write the API request counts gathered in memory to the usage table now', response: { 200: OkBody, ...errorResponses } },
    handler: async () => {
      await admin.flushUsage();
      return { ok: true };
    },
  });
}
