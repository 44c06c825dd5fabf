/**
 * Organisations: members, invitations, API keys, settings and the audit log of
 * one organisation. The services are built by the composition root.
 */
import type { App } from '../../http/types.js';
import type { ApiKeyService } from './api-key-service.js';
import type { MemberService } from './member-service.js';
import { orgAdminRoutes } from './org-admin-routes.js';
import { orgRoutes } from './org-routes.js';
import type { OrganizationService } from './organization-service.js';

export { ApiKeyService } from './api-key-service.js';
export { MemberService } from './member-service.js';
export { OrganizationService } from './organization-service.js';

export interface OrgServices {
  orgs: OrganizationService;
  members: MemberService;
  apiKeys: ApiKeyService;
}

/** Organisation, membership, invitation, API-key, settings and audit routes. */
export function registerOrg(app: App, s: OrgServices): void {
  orgRoutes(app, s.orgs);
  orgAdminRoutes(app, s);
}
