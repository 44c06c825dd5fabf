/**
 * The platform admin console's organisations, users, memberships, system view
 * and audit log. Each change and its audit row are written in one transaction,
 * so the log never records a change that did not happen, nor misses one that did.
 */
import { roleRank, type Role } from '@optibid/core';
import type { AdminMembershipPatch, AdminOrganizationPatch, AdminUserPatch, AuditQuery } from '@optibid/contracts';
import { configSummary } from '../../config/index.js';
import type { ServerContext } from '../../context.js';
import type { Queryable } from '../../db/client.js';
import type { AdminOrganizationRow, AdminUserRow, PlatformRepositories } from '../../db/repositories/platform/index.js';
import type { AuthContext, RequestMeta } from '../../http/auth-context.js';
import type { SessionEnds } from '../../realtime/index.js';
import { conflict, notFound } from '../../http/errors.js';
import { usageOf } from './plan-view.js';
import type { QuotaService } from './quota-service.js';
import type { RecentError } from './recent-errors.js';

const CORE_SERVICES = new Set(['database', 'cache', 'bus', 'websocket']);

/** What the console shows of the running instance that only the HTTP app knows (error log, bus rate, evaluator). */
export interface InstanceProbes {
  recentErrors(): RecentError[];
  messagesPerSecond(): number;
  evaluatorInfo(): object;
}

/** Who made an admin change, from where: the audit row's actor and request. */
export interface Actor {
  auth: AuthContext;
  meta: RequestMeta;
}

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

/**
 * Writes one admin audit row in `tx`. Shared by the admin services so every
 * console change is logged with the same shape.
 */
export function recordAdminChange(
  ctx: ServerContext,
  tx: Queryable,
  by: Actor,
  change: { action: string; target_type: string; target_id: string; details?: Record<string, unknown>; organization_id?: string | null },
): Promise<void> {
  return ctx.repos.audit.record(
    {
      organization_id: change.organization_id ?? null,
      actor_user_id: by.auth.user_id,
      action: change.action,
      target_type: change.target_type,
      target_id: change.target_id,
      details: change.details ?? {},
      ...by.meta,
    },
    tx,
  );
}

/**
 * Audit entries, newest first, with each actor's email: for the admin console
 * (any organisation) and for one organisation's own log.
 */
export async function auditEntries(repos: PlatformRepositories, q: AuditQuery) {
  const rows = await repos.admin.audit({
    organization_id: q.organization_id,
    action: q.action,
    actor_user_id: q.actor_user_id,
    since: q.since ? new Date(q.since) : undefined,
    before: q.before ? new Date(q.before) : undefined,
    limit: q.limit ?? 100,
  });
  return rows.map((r) => ({ ...r, created_at: r.created_at.toISOString() }));
}

export class AdminService {
  constructor(
    private readonly ctx: ServerContext,
    private readonly repos: PlatformRepositories,
    private readonly quotas: QuotaService,
    private readonly sessionEnds: SessionEnds,
  ) {}

  async overview(probes: InstanceProbes) {
    const { repos, ctx } = this;
    const [counts, activeBids, dbSize, health] = await Promise.all([repos.admin.counts(), repos.admin.activeBids(), repos.admin.databaseSizeBytes(), ctx.health.check()]);
    await this.quotas.flush();
    const today = new Date().toISOString().slice(0, 10);
    const ws = health.services.websocket as { connections?: number } | undefined;
    const jobs = [
      { name: 'alert_evaluator', status: 'ok', detail: probes.evaluatorInfo() },
      { name: 'usage_flush', status: 'ok' },
      ...Object.entries(health.services)
        .filter(([n]) => !CORE_SERVICES.has(n))
        .map(([name, s]) => ({ name, status: s.status, detail: s })),
    ];
    return {
      ...counts,
      active_bids: activeBids,
      websocket_connections: typeof ws?.connections === 'number' ? ws.connections : null,
      messages_per_second: probes.messagesPerSecond(),
      database_size_bytes: dbSize,
      database_backend: ctx.database.backend,
      api_requests_today: await repos.billing.totalUsageOn(today, 'api_requests'),
      notifications_today: await repos.alerts.countSince(new Date(`${today}T00:00:00Z`)),
      jobs,
      generated_at: new Date().toISOString(),
    };
  }

  async searchOrganizations(q: string | undefined, limit: number, offset: number) {
    return (await this.repos.admin.searchOrganizations(q, limit, offset)).map(orgView);
  }

  async organization(id: string) {
    const [org] = await this.repos.admin.searchOrganizations(undefined, 1, 0, id);
    if (!org) throw notFound('organization');
    const members = await this.ctx.repos.accounts.listMembers(id);
    return { ...orgView(org), member_list: members.map((m) => ({ ...m, joined_at: m.joined_at.toISOString() })), usage: await usageOf(this.quotas, id) };
  }

  async changeOrganization(by: Actor, id: string, patch: AdminOrganizationPatch) {
    if (!(await this.ctx.repos.accounts.findOrganization(id))) throw notFound('organization');
    await this.ctx.database.transaction(async (tx) => {
      await this.repos.orgAdmin.setRequireMfa(id, { require_mfa: patch.require_mfa, name: patch.name?.trim() || undefined }, tx);
      await recordAdminChange(this.ctx, tx, by, { action: 'admin.organization_changed', target_type: 'organization', target_id: id, details: { ...patch }, organization_id: id });
    });
    return this.organization(id);
  }

  async searchUsers(q: string | undefined, limit: number, offset: number) {
    return (await this.repos.admin.searchUsers(q, limit, offset)).map(userView);
  }

  async user(id: string) {
    const [u] = await this.repos.admin.searchUsers(undefined, 1, 0, id);
    if (!u) throw notFound('user');
    const memberships = await this.ctx.repos.accounts.listMembershipsOfUser(id);
    const sessions = await this.repos.security.listSessionFamilies(id, new Date());
    return {
      ...userView(u),
      memberships: memberships.map((m) => ({ organization_id: m.organization_id, organization_name: m.organization_name, role: m.role, is_active: m.is_active })),
      sessions: sessions.length,
    };
  }

  async changeUser(by: Actor, id: string, patch: AdminUserPatch) {
    const { accounts, sessions } = this.ctx.repos;
    const user = await accounts.findUser(id);
    if (!user) throw notFound('user');
    if (user.id === by.auth.user_id && (patch.is_active === false || patch.is_platform_admin === false)) {
      throw conflict('you cannot deactivate yourself or remove your own platform admin rights');
    }
    await this.ctx.database.transaction(async (tx) => {
      await accounts.updateUser(user.id, { ...patch, ...(patch.name ? { name: patch.name.trim() } : {}) }, tx);
      if (patch.is_active === false) await sessions.revokeAllForUser(user.id, new Date(), undefined, tx);
      await recordAdminChange(this.ctx, tx, by, { action: 'admin.user_changed', target_type: 'user', target_id: user.id, details: { ...patch } });
    });
    if (patch.is_active === false && user.is_active) await this.sessionEnds.ended('user_deactivated', { user_id: user.id, with_api_keys: true });
    return this.user(user.id);
  }

  async changeMembership(by: Actor, userId: string, organizationId: string, patch: AdminMembershipPatch) {
    const m = await this.ctx.repos.accounts.findMembership(organizationId, userId);
    if (!m) throw notFound('membership');
    const demoting = patch.role !== undefined && roleRank(patch.role as Role) < roleRank('owner');
    if (m.role === 'owner' && m.is_active && (demoting || patch.is_active === false) && (await this.repos.orgAdmin.countActiveOwners(organizationId)) <= 1) {
      throw conflict('the last owner cannot be removed or demoted: make another member owner first');
    }
    await this.ctx.database.transaction(async (tx) => {
      await this.repos.orgAdmin.setMembership(organizationId, userId, patch, tx);
      if (patch.is_active === false) await this.repos.orgAdmin.revokeSessionsInOrganization(organizationId, userId, new Date(), tx);
      await recordAdminChange(this.ctx, tx, by, {
        action: 'admin.membership_changed',
        target_type: 'user',
        target_id: userId,
        details: { ...patch, from_role: m.role },
        organization_id: organizationId,
      });
    });
    if (patch.is_active === false && m.is_active) await this.sessionEnds.ended('membership_removed', { user_id: userId, organization_id: organizationId, with_api_keys: true });
    else if (patch.role !== undefined && patch.role !== m.role) await this.sessionEnds.ended('role_changed', { user_id: userId, organization_id: organizationId, with_api_keys: true });
    return this.user(userId);
  }

  async system(probes: InstanceProbes) {
    const h = await this.ctx.health.check();
    return {
      version: h.version,
      uptime_s: h.uptime_s,
      status: h.status,
      services: h.services,
      config: configSummary(this.ctx.config),
      node_version: process.version,
      memory_rss_bytes: process.memoryUsage().rss,
      recent_errors: probes.recentErrors(),
    };
  }

  audit(q: AuditQuery) {
    return auditEntries(this.repos, q);
  }

  flushUsage(): Promise<void> {
    return this.quotas.flush();
  }
}
