/** The platform admin console: overview, organisations, users, system, audit. Platform admins only. */
import { Type } from 'typebox';
import { roleRank, type Role } from '@optibid/core';
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
import { configSummary } from '../../config/index.js';
import type { ServerContext } from '../../context.js';
import type { AdminOrganizationRow, AdminUserRow } from '../../db/repositories/platform/index.js';
import { authOf, requestMeta } from '../../http/auth-hook.js';
import { conflict, notFound } from '../../http/errors.js';
import type { App } from '../../http/types.js';
import type { BusRate, RecentErrors } from './recent-errors.js';
import type { PlatformServices } from './index.js';
import { usageOf } from './usage-routes.js';

const access = { access: 'platform_admin' as const };
const tags = ['admin'];
const CORE_SERVICES = new Set(['database', 'cache', 'bus', 'websocket']);

const orgView = (o: AdminOrganizationRow) => ({
  id: o.id,
  name: o.name,
  is_demo: o.is_demo,
  require_mfa: o.require_mfa,
  plan_id: o.plan_id ?? (o.is_demo ? 'enterprise' : 'free'),
  members: Number(o.members),
  active_members: Number(o.active_members),
  created_at: o.created_at.toISOString(),
});

const userView = (u: AdminUserRow) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  is_active: u.is_active,
  is_platform_admin: u.is_platform_admin,
  mfa_enabled: u.mfa_enabled,
  created_at: u.created_at.toISOString(),
  last_login_at: u.last_login_at?.toISOString() ?? null,
  organizations: Number(u.organizations),
});

export function adminRoutes(app: App, ctx: ServerContext, services: PlatformServices, extras: { errors: RecentErrors; busRate: BusRate; evaluatorInfo: () => object }): void {
  const { repos } = services;
  const audit = (req: Parameters<typeof requestMeta>[0], action: string, target_type: string, target_id: string, details: Record<string, unknown> = {}, organization_id: string | null = null) =>
    ctx.repos.audit.record({ organization_id, actor_user_id: authOf(req).user_id, action, target_type, target_id, details, ...requestMeta(req) });

  app.get('/api/admin/overview', {
    config: access,
    schema: { tags, summary: 'Platform at a glance', response: { 200: AdminOverview, ...errorResponses } },
    handler: async () => {
      const [counts, activeBids, dbSize, health] = await Promise.all([repos.admin.counts(), repos.admin.activeBids(), repos.admin.databaseSizeBytes(), ctx.health.check()]);
      await services.quotas.flush();
      const today = new Date().toISOString().slice(0, 10);
      const ws = health.services.websocket as { connections?: number } | undefined;
      const jobs = [
        { name: 'alert_evaluator', status: 'ok', detail: extras.evaluatorInfo() },
        { name: 'usage_flush', status: 'ok' },
        ...Object.entries(health.services)
          .filter(([n]) => !CORE_SERVICES.has(n))
          .map(([name, s]) => ({ name, status: s.status, detail: s })),
      ];
      return {
        ...counts,
        active_bids: activeBids,
        websocket_connections: typeof ws?.connections === 'number' ? ws.connections : null,
        messages_per_second: extras.busRate.perSecond(),
        database_size_bytes: dbSize,
        database_backend: ctx.database.backend,
        api_requests_today: await repos.billing.totalUsageOn(today, 'api_requests'),
        notifications_today: await repos.alerts.countSince(new Date(`${today}T00:00:00Z`)),
        jobs,
        generated_at: new Date().toISOString(),
      };
    },
  });

  app.get('/api/admin/organizations', {
    config: access,
    schema: { tags, summary: 'Search organisations by name or id', querystring: SearchQuery, response: { 200: Type.Object({ items: Type.Array(AdminOrganizationView) }), ...errorResponses } },
    handler: async (req) => ({ items: (await repos.admin.searchOrganizations(req.query.q?.trim() || undefined, req.query.limit ?? 50, req.query.offset ?? 0)).map(orgView) }),
  });

  const orgDetail = async (id: string) => {
    const [org] = await repos.admin.searchOrganizations(undefined, 1, 0, id);
    if (!org) throw notFound('organization');
    const members = await ctx.repos.accounts.listMembers(id);
    return { ...orgView(org), member_list: members.map((m) => ({ ...m, joined_at: m.joined_at.toISOString() })), usage: await usageOf(services, id) };
  };

  app.get('/api/admin/organizations/:id', {
    config: access,
    schema: { tags, summary: 'An organisation with its members and usage', params: IdParams, response: { 200: AdminOrganizationDetail, ...errorResponses } },
    handler: async (req) => orgDetail(req.params.id),
  });

  app.patch('/api/admin/organizations/:id', {
    config: access,
    schema: { tags, summary: 'Rename an organisation or set its MFA requirement', params: IdParams, body: AdminOrganizationPatch, response: { 200: AdminOrganizationDetail, ...errorResponses } },
    handler: async (req) => {
      if (!(await ctx.repos.accounts.findOrganization(req.params.id))) throw notFound('organization');
      await repos.orgAdmin.setRequireMfa(req.params.id, { require_mfa: req.body.require_mfa, name: req.body.name?.trim() || undefined });
      await audit(req, 'admin.organization_changed', 'organization', req.params.id, { ...req.body }, req.params.id);
      return orgDetail(req.params.id);
    },
  });

  app.get('/api/admin/users', {
    config: access,
    schema: { tags, summary: 'Search users by email or name', querystring: SearchQuery, response: { 200: Type.Object({ items: Type.Array(AdminUserView) }), ...errorResponses } },
    handler: async (req) => ({ items: (await repos.admin.searchUsers(req.query.q?.trim() || undefined, req.query.limit ?? 50, req.query.offset ?? 0)).map(userView) }),
  });

  const userDetail = async (id: string) => {
    const [u] = await repos.admin.searchUsers(undefined, 1, 0, id);
    if (!u) throw notFound('user');
    const memberships = await ctx.repos.accounts.listMembershipsOfUser(id);
    const sessions = await repos.security.listSessionFamilies(id, new Date());
    return {
      ...userView(u),
      memberships: memberships.map((m) => ({ organization_id: m.organization_id, organization_name: m.organization_name, role: m.role, is_active: m.is_active })),
      sessions: sessions.length,
    };
  };

  app.get('/api/admin/users/:id', {
    config: access,
    schema: { tags, summary: 'A user with memberships and live sessions', params: IdParams, response: { 200: AdminUserDetail, ...errorResponses } },
    handler: async (req) => userDetail(req.params.id),
  });

  app.patch('/api/admin/users/:id', {
    config: access,
    schema: { tags, summary: 'Deactivate or reactivate a user, grant or remove platform admin', params: IdParams, body: AdminUserPatch, response: { 200: AdminUserDetail, ...errorResponses } },
    handler: async (req) => {
      const me = authOf(req);
      const user = await ctx.repos.accounts.findUser(req.params.id);
      if (!user) throw notFound('user');
      if (user.id === me.user_id && (req.body.is_active === false || req.body.is_platform_admin === false)) {
        throw conflict('you cannot deactivate yourself or remove your own platform admin rights');
      }
      await ctx.repos.accounts.updateUser(user.id, { ...req.body, ...(req.body.name ? { name: req.body.name.trim() } : {}) });
      if (req.body.is_active === false) await ctx.repos.sessions.revokeAllForUser(user.id, new Date());
      await audit(req, 'admin.user_changed', 'user', user.id, { ...req.body });
      return userDetail(user.id);
    },
  });

  app.patch('/api/admin/users/:id/memberships/:organization_id', {
    config: access,
    schema: { tags, summary: "Change a user's role in an organisation or deactivate the membership", params: AdminMembershipParams, body: AdminMembershipPatch, response: { 200: AdminUserDetail, ...errorResponses } },
    handler: async (req) => {
      const { id, organization_id } = req.params;
      const m = await ctx.repos.accounts.findMembership(organization_id, id);
      if (!m) throw notFound('membership');
      const demoting = req.body.role !== undefined && roleRank(req.body.role as Role) < roleRank('owner');
      if (m.role === 'owner' && m.is_active && (demoting || req.body.is_active === false) && (await repos.orgAdmin.countActiveOwners(organization_id)) <= 1) {
        throw conflict('the last owner cannot be removed or demoted: make another member owner first');
      }
      await repos.orgAdmin.setMembership(organization_id, id, req.body);
      if (req.body.is_active === false) await repos.orgAdmin.revokeSessionsInOrganization(organization_id, id, new Date());
      await audit(req, 'admin.membership_changed', 'user', id, { ...req.body, from_role: m.role }, organization_id);
      return userDetail(id);
    },
  });

  app.get('/api/admin/system', {
    config: access,
    schema: { tags, summary: "Each service's health and latency, version, uptime, configuration (no secrets), recent errors", response: { 200: AdminSystem, ...errorResponses } },
    handler: async () => {
      const h = await ctx.health.check();
      return {
        version: h.version,
        uptime_s: h.uptime_s,
        status: h.status,
        services: h.services,
        config: configSummary(ctx.config),
        node_version: process.version,
        memory_rss_bytes: process.memoryUsage().rss,
        recent_errors: extras.errors.list(),
      };
    },
  });

  app.get('/api/admin/audit', {
    config: access,
    schema: { tags, summary: 'The audit log of every organisation (and sign-in events without one)', querystring: AuditQuery, response: { 200: Type.Object({ items: Type.Array(AuditEntryView) }), ...errorResponses } },
    handler: async (req) => {
      const q = req.query;
      const rows = await repos.admin.audit({
        organization_id: q.organization_id,
        action: q.action,
        actor_user_id: q.actor_user_id,
        since: q.since ? new Date(q.since) : undefined,
        before: q.before ? new Date(q.before) : undefined,
        limit: q.limit ?? 100,
      });
      return { items: rows.map((r) => ({ ...r, created_at: r.created_at.toISOString() })) };
    },
  });

  app.post('/api/admin/usage/flush', {
    config: access,
    schema: { tags, summary: 'Write the API request counts gathered in memory to the usage table now', response: { 200: OkBody, ...errorResponses } },
    handler: async () => {
      await services.quotas.flush();
      return { ok: true };
    },
  });
}
