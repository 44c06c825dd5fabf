import { Type } from 'typebox';
import { MemberView, OrganizationRef, errorResponses } from '@optibid/contracts';
import type { ServerContext } from '../../context.js';
import { authOf } from '../../http/auth-hook.js';
import { notFound } from '../../http/errors.js';
import type { App } from '../../http/types.js';
import type { AuthContext } from '../auth/auth-context.js';

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

const AuditEntryView = Type.Object({
  id: Type.String(),
  organization_id: Type.Union([Type.String(), Type.Null()]),
  actor_user_id: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target_type: Type.Union([Type.String(), Type.Null()]),
  target_id: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  created_at: Type.String({ format: 'date-time' }),
});

const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100, description: 'exact action or a prefix with *, e.g. auth.*' })),
    actor_user_id: Type.Optional(Type.String({ format: 'uuid' })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    before: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);

export function auditRoutes(app: App, ctx: ServerContext): void {
  app.get('/api/org/audit', {
    config: { access: 'audit:read' },
    schema: {
      tags: ['organisation'],
      summary: "Your organisation's audit log, newest first",
      querystring: AuditQuery,
      response: { 200: Type.Object({ items: Type.Array(AuditEntryView) }), ...errorResponses },
    },
    handler: async (req) => {
      const q = req.query;
      const rows = await ctx.repos.audit.list({
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
