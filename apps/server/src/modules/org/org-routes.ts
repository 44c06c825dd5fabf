import { Type } from 'typebox';
import { AuditEntryView, MemberView, OrgAuditQuery, OrganizationRef, errorResponses } from '@optibid/contracts';
import type { ServerContext } from '../../context.js';
import { authOf } from '../../http/auth-hook.js';
import { notFound } from '../../http/errors.js';
import type { App } from '../../http/types.js';
import type { AuthContext } from '../../http/auth-context.js';
import type { AuditWithActorRow } from '../../db/repositories/platform/index.js';

const MemberList = Type.Object({ items: Type.Array(MemberView) });
const OrgParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Another organisation's resources are 404, never 403: their existence is not revealed. */
function assertOwnOrganization(auth: AuthContext, organizationId: string): void {
  if (auth.organization_id !== organizationId && !auth.is_platform_admin) throw notFound('organization');
}

export function orgRoutes(app: App, ctx: ServerContext): void {
  const listMembers = async (organizationId: string) => {
    const members = await ctx.repos.accounts.listMembers(organizationId);
    return { items: members.map((m) => ({ ...m, joined_at: m.joined_at.toISOString() })) };
  };

  app.get('/api/org/members', {
    config: { access: 'org:read' },
    schema: { tags: ['organisation'], summary: 'Members of your organisation', response: { 200: MemberList, ...errorResponses } },
    handler: async (req) => listMembers(authOf(req).organization_id),
  });

  app.get('/api/organizations/:id', {
    config: { access: 'org:read' },
    schema: { tags: ['organisation'], summary: 'An organisation you belong to', params: OrgParams, response: { 200: OrganizationRef, ...errorResponses } },
    handler: async (req) => {
      assertOwnOrganization(authOf(req), req.params.id);
      const org = await ctx.repos.accounts.findOrganization(req.params.id);
      if (!org) throw notFound('organization');
      return { id: org.id, name: org.name };
    },
  });

  app.get('/api/organizations/:id/members', {
    config: { access: 'org:read' },
    schema: { tags: ['organisation'], summary: 'Members of an organisation you belong to', params: OrgParams, response: { 200: MemberList, ...errorResponses } },
    handler: async (req) => {
      assertOwnOrganization(authOf(req), req.params.id);
      if (!(await ctx.repos.accounts.findOrganization(req.params.id))) throw notFound('organization');
      return listMembers(req.params.id);
    },
  });
}

/** Lists audit entries with the actor's email (the platform's admin repository answers it). */
export type AuditQuery = (filter: { organization_id?: string; action?: string; actor_user_id?: string; since?: Date; before?: Date; limit: number }) => Promise<AuditWithActorRow[]>;

export function auditRoutes(app: App, listAudit: AuditQuery): void {
  app.get('/api/org/audit', {
    config: { access: 'audit:read' },
    schema: {
      tags: ['organisation'],
      summary: "Your organisation's audit log and activity, newest first (platform admins: /api/admin/audit for every organisation)",
      querystring: OrgAuditQuery,
      response: { 200: Type.Object({ items: Type.Array(AuditEntryView) }), ...errorResponses },
    },
    handler: async (req) => {
      const q = req.query;
      const rows = await listAudit({
        organization_id: authOf(req).organization_id,
        action: q.action,
        actor_user_id: q.actor_user_id,
        since: q.since ? new Date(q.since) : undefined,
        before: q.before ? new Date(q.before) : undefined,
        limit: q.limit ?? 100,
      });
      return { items: rows.map((r) => ({ ...r, created_at: r.created_at.toISOString() })) };
    },
  });
}
