/**
 * Organisations: members, invitations, API keys, settings and the audit log of
 * one organisation. The services are built by the composition root.
 */
import type { ServerContext } from '../../context.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { PlatformRepositories } from '../../db/repositories/platform/index.js';
import type { App } from '../../http/types.js';
import type { QuotaService } from '../platform/index.js';
import type { ApiKeyService } from './api-key-service.js';
import type { MemberService } from './member-service.js';
import { orgAdminRoutes } from './org-admin-routes.js';
import { auditRoutes, orgRoutes, type AuditQuery } from './org-routes.js';

export { ApiKeyService } from './api-key-service.js';
export { MemberService } from './member-service.js';

export interface OrgServices {
  members: MemberService;
  apiKeys: ApiKeyService;
}

/** Organisation, membership, invitation, API-key, settings and audit routes. */
export function registerOrg(
  app: App,
  s: OrgServices & { ctx: ServerContext; repos: Repositories; platform: PlatformRepositories; quotas: QuotaService; listAudit: AuditQuery },
): void {
  orgRoutes(app, s.ctx);
  auditRoutes(app, s.listAudit);
  orgAdminRoutes(app, { repos: s.repos, platform: s.platform, members: s.members, apiKeys: s.apiKeys, quotas: s.quotas });
}
