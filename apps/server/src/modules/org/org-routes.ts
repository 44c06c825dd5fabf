import { Type } from 'typebox';
import { AuditEntryView, MemberView, OrgAuditQuery, OrganizationRef, errorResponses } from '@optibid/contracts';
import { authOf } from '../../http/auth-hook.js';
import type { App } from '../../http/types.js';
import type { OrganizationService } from './organization-service.js';

const MemberList = Type.Object({ items: Type.Array(MemberView) });
const OrgParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export function orgRoutes(app: App, orgs: OrganizationService): void {
  app.get('/api/org/members', {
    config: { access: 'org:read' },
    schema: { tags: ['organisation'], summary: 'Members of your organisation', response: { 200: MemberList, ...errorResponses } },
    handler: async (req) => ({ items: await orgs.members(authOf(req).organization_id) }),
  });

  app.get('/api/organizations/:id', {
    config: { access: 'org:read' },
    schema: { tags: ['organisation'], summary: 'An organisation you belong to', params: OrgParams, response: { 200: OrganizationRef, ...errorResponses } },
    handler: async (req) => orgs.organization(authOf(req), req.params.id),
  });

  app.get('/api/organizations/:id/members', {
    config: { access: 'org:read' },
    schema: { tags: ['organisation'], summary: 'Members of an organisation you belong to', params: OrgParams, response: { 200: MemberList, ...errorResponses } },
    handler: async (req) => ({ items: await orgs.membersOf(authOf(req), req.params.id) }),
  });

  app.get('/api/org/audit', {
    config: { access: 'audit:read' },
    schema: {
      tags: ['organisation'],
      summary: "Your organisation's audit log and activity, newest first (platform admins: /api/admin/audit for every organisation)",
      querystring: OrgAuditQuery,
      response: { 200: Type.Object({ items: Type.Array(AuditEntryView) }), ...errorResponses },
    },
    handler: async (req) => ({ items: await orgs.audit(authOf(req).organization_id, req.query) }),
  });
}
