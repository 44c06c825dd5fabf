/**
 * One organisation as its members see it: the organisation, its members, its
 * settings and its audit log. Another organisation's resources are 404, never
 * 403: their existence is not revealed.
 */
import type { OrgAuditQuery, OrgSettingsPatch } from '@optibid/contracts';
import type { Database } from '../../db/client.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { PlatformRepositories } from '../../db/repositories/platform/index.js';
import type { AuthContext, RequestMeta } from '../../http/auth-context.js';
import { notFound } from '../../http/errors.js';
import { auditEntries, type QuotaService } from '../platform/index.js';

function assertOwnOrganization(auth: AuthContext, organizationId: string): void {
  if (auth.organization_id !== organizationId && !auth.is_platform_admin) throw notFound('organization');
}

export class OrganizationService {
  constructor(
    private readonly database: Database,
    private readonly repos: Repositories,
    private readonly platform: PlatformRepositories,
    private readonly quotas: QuotaService,
  ) {}

  async members(organizationId: string) {
    const members = await this.repos.accounts.listMembers(organizationId);
    return members.map((m) => ({ ...m, joined_at: m.joined_at.toISOString() }));
  }

  async organization(auth: AuthContext, id: string) {
    assertOwnOrganization(auth, id);
    const org = await this.repos.accounts.findOrganization(id);
    if (!org) throw notFound('organization');
    return { id: org.id, name: org.name };
  }

  async membersOf(auth: AuthContext, id: string) {
    await this.organization(auth, id);
    return this.members(id);
  }

  async settings(organizationId: string) {
    const org = await this.repos.accounts.findOrganization(organizationId);
    if (!org) throw notFound('organization');
    const { plan } = await this.quotas.planOf(organizationId);
    return { id: org.id, name: org.name, require_mfa: org.require_mfa, plan_id: plan.id, created_at: org.created_at.toISOString() };
  }

  /** Renames the organisation or sets its MFA requirement; the change and its audit row in one transaction. */
  async changeSettings(auth: AuthContext, patch: OrgSettingsPatch, meta: RequestMeta) {
    const org = auth.organization_id;
    await this.database.transaction(async (tx) => {
      await this.platform.orgAdmin.setRequireMfa(org, { require_mfa: patch.require_mfa, name: patch.name?.trim() || undefined }, tx);
      await this.repos.audit.record(
        { organization_id: org, actor_user_id: auth.user_id, action: 'org.settings_changed', target_type: 'organization', target_id: org, details: { ...patch }, ...meta },
        tx,
      );
    });
    return this.settings(org);
  }

  /** The organisation's audit entries, newest first, with each actor's email. */
  audit(organizationId: string, q: OrgAuditQuery) {
    return auditEntries(this.platform, { ...q, organization_id: organizationId });
  }
}
