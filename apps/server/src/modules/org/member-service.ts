/**
 * Members and invitations. Nobody grants or changes a role above their own;
 * only an owner makes or unmakes owners; the last active owner cannot be
 * demoted, deactivated or leave. Deactivating ends the member's sessions in
 * the organisation at once (their access tokens are checked on every request, and
 * their WebSockets close on every instance); a role change closes their sockets too.
 */
import { randomBytes } from 'node:crypto';
import { roleRank, type Role } from '@optibid/core';
import type { AcceptInvitationBody, CreatedInvitation, InvitationView, TokenResponse } from '@optibid/contracts';
import type { Repositories } from '../../db/repositories/index.js';
import type { InvitationRow, PlatformRepositories } from '../../db/repositories/platform/index.js';
import { AppError, conflict, forbidden, notFound, unauthorized, validationFailed } from '../../http/errors.js';
import type { Mailer } from '../../mail/mailer.js';
import type { AuthContext, RequestMeta } from '../../http/auth-context.js';
import type { SessionEnds } from '../../realtime/index.js';
import { sha256, verifyPassword, type AuthService } from '../auth/index.js';
import type { QuotaGate } from '../platform/index.js';

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface MailLogger {
  info(obj: object, msg?: string): void;
}

export class MemberService {
  constructor(
    private readonly repos: Repositories,
    private readonly platform: PlatformRepositories,
    private readonly auth: AuthService,
    private readonly mailer: Mailer,
    private readonly quotas: QuotaGate,
    private readonly log: MailLogger,
    private readonly sessionEnds: SessionEnds,
  ) {}

  invitationView(row: InvitationRow, now = new Date()): InvitationView {
    const status = row.accepted_at ? 'accepted' : row.revoked_at ? 'revoked' : row.expires_at <= now ? 'expired' : 'pending';
    return {
      id: row.id,
      email: row.email,
      role: row.role,
      status,
      invited_by: row.invited_by,
      expires_at: row.expires_at.toISOString(),
      created_at: row.created_at.toISOString(),
      accepted_at: row.accepted_at?.toISOString() ?? null,
    };
  }

  private assertMayGrant(actor: AuthContext, role: Role): void {
    if (roleRank(role) > roleRank(actor.role)) throw forbidden(`you cannot grant the role ${role}, which is above your own (${actor.role})`);
  }

  async invite(actor: AuthContext, input: { email: string; role: Role }, meta: RequestMeta, origin: string): Promise<CreatedInvitation> {
    this.assertMayGrant(actor, input.role);
    const email = input.email.trim().toLowerCase();
    const existing = await this.repos.accounts.findUserByEmail(email);
    if (existing) {
      const m = await this.repos.accounts.findMembership(actor.organization_id, existing.id);
      if (m?.is_active) throw conflict(`${email} is already a member of this organisation`);
    }
    await this.quotas.check(actor.organization_id, 'members');
    const token = randomBytes(32).toString('base64url');
    const row = await this.platform.orgAdmin.createInvitation({
      organization_id: actor.organization_id,
      email,
      role: input.role,
      token_hash: sha256(token),
      invited_by: actor.user_id,
      expires_at: new Date(Date.now() + INVITATION_TTL_MS),
    });
    const org = await this.repos.accounts.findOrganization(actor.organization_id);
    const inviter = await this.repos.accounts.findUser(actor.user_id);
    const acceptUrl = `${origin}/invite?token=${encodeURIComponent(token)}`;
    const mail = await this.mailer.trySend({
      to: email,
      subject: `You are invited to ${org?.name ?? 'an organisation'} on OptiBid`,
      text:
        `${inviter?.name ?? 'An administrator'} invited you to join ${org?.name ?? 'their organisation'} on OptiBid as ${input.role}.\n\n` +
        `Accept the invitation: ${acceptUrl}\n\nInvitation token: ${token}\n\nIt expires on ${row.expires_at.toISOString()}.`,
    });
    if (!mail.delivered) this.log.info({ invitation_id: row.id, email, accept_url: acceptUrl }, 'invitation not mailed: token returned to the inviting admin');
    await this.repos.audit.record({
      organization_id: actor.organization_id,
      actor_user_id: actor.user_id,
      action: 'member.invited',
      target_type: 'invitation',
      target_id: row.id,
      details: { email, role: input.role, emailed: mail.delivered },
      ...meta,
    });
    return { ...this.invitationView(row), emailed: mail.delivered, token: mail.delivered ? null : token, accept_url: mail.delivered ? null : acceptUrl };
  }

  async listInvitations(actor: AuthContext): Promise<InvitationView[]> {
    const now = new Date();
    return (await this.platform.orgAdmin.listInvitations(actor.organization_id)).map((r) => this.invitationView(r, now));
  }

  async revokeInvitation(actor: AuthContext, id: string, meta: RequestMeta): Promise<InvitationView> {
    const row = await this.platform.orgAdmin.revokeInvitation(actor.organization_id, id, new Date());
    if (!row) throw notFound('pending invitation');
    await this.repos.audit.record({ organization_id: actor.organization_id, actor_user_id: actor.user_id, action: 'member.invitation_revoked', target_type: 'invitation', target_id: id, ...meta });
    return this.invitationView(row);
  }

  private async openInvitation(token: string): Promise<InvitationRow> {
    const row = await this.platform.orgAdmin.findInvitationByHash(sha256(token));
    if (!row) throw notFound('invitation');
    if (row.accepted_at) throw new AppError(410, 'gone', 'this invitation was already accepted');
    if (row.revoked_at) throw new AppError(410, 'gone', 'this invitation was revoked');
    if (row.expires_at <= new Date()) throw new AppError(410, 'gone', 'this invitation has expired; ask for a new one');
    return row;
  }

  async preview(token: string) {
    const row = await this.openInvitation(token);
    const org = await this.repos.accounts.findOrganization(row.organization_id);
    return {
      organization: { id: row.organization_id, name: org?.name ?? '' },
      email: row.email,
      role: row.role,
      expires_at: row.expires_at.toISOString(),
      account_exists: !!(await this.repos.accounts.findUserByEmail(row.email)),
    };
  }

  /** Joins with an existing account (its password) or a new one (name and password); signs the user in to the organisation. */
  async accept(body: AcceptInvitationBody, meta: RequestMeta): Promise<TokenResponse> {
    const inv = await this.openInvitation(body.token);
    let user = await this.repos.accounts.findUserByEmail(inv.email);
    if (user) {
      if (!(await verifyPassword(user.password_hash, body.password))) throw unauthorized('password is incorrect for the existing account with this email');
      if (!user.is_active) throw unauthorized('this account is deactivated');
    } else {
      if (!body.name?.trim()) throw validationFailed('name is required to create your account', [{ field: 'name', message: 'is required' }]);
      user = (
        await this.auth.createAccount({ email: inv.email, password: body.password, name: body.name.trim(), organization_id: inv.organization_id, role: inv.role })
      ).user;
    }
    if (!(await this.platform.orgAdmin.acceptInvitation(inv.id, user.id, new Date()))) throw new AppError(410, 'gone', 'this invitation is no longer open');
    await this.repos.accounts.addMembership(inv.organization_id, user.id, inv.role);
    await this.repos.audit.record({
      organization_id: inv.organization_id,
      actor_user_id: user.id,
      action: 'member.joined',
      target_type: 'invitation',
      target_id: inv.id,
      details: { role: inv.role, email: inv.email },
      ...meta,
    });
    return this.auth.issueSession(user, inv.organization_id, meta);
  }

  private async target(actor: AuthContext, userId: string) {
    const m = await this.repos.accounts.findMembership(actor.organization_id, userId);
    if (!m) throw notFound('member');
    return m;
  }

  private async assertNotLastOwner(organizationId: string, currentRole: string, active: boolean): Promise<void> {
    if (currentRole === 'owner' && active && (await this.platform.orgAdmin.countActiveOwners(organizationId)) <= 1) {
      throw conflict('the last owner cannot be removed or demoted: make another member owner first');
    }
  }

  async update(actor: AuthContext, userId: string, patch: { role?: Role; active?: boolean }, meta: RequestMeta): Promise<void> {
    const m = await this.target(actor, userId);
    if (roleRank(m.role as Role) > roleRank(actor.role)) throw forbidden(`you cannot change a member whose role (${m.role}) is above yours`);
    if (patch.role !== undefined && patch.role !== m.role) {
      this.assertMayGrant(actor, patch.role);
      await this.assertNotLastOwner(actor.organization_id, m.role, m.is_active);
      await this.platform.orgAdmin.setMembership(actor.organization_id, userId, { role: patch.role });
      await this.repos.audit.record({
        organization_id: actor.organization_id,
        actor_user_id: actor.user_id,
        action: 'member.role_changed',
        target_type: 'user',
        target_id: userId,
        details: { from: m.role, to: patch.role },
        ...meta,
      });
      // Requests read the new role at once; sockets hold the role they were admitted with, so they close and reconnect.
      await this.sessionEnds.ended('role_changed', { user_id: userId, organization_id: actor.organization_id, with_api_keys: true });
    }
    if (patch.active === false && m.is_active) await this.deactivate(actor, userId, meta);
    if (patch.active === true && !m.is_active) {
      await this.quotas.check(actor.organization_id, 'members');
      await this.platform.orgAdmin.setMembership(actor.organization_id, userId, { is_active: true });
      await this.repos.audit.record({ organization_id: actor.organization_id, actor_user_id: actor.user_id, action: 'member.reactivated', target_type: 'user', target_id: userId, ...meta });
    }
  }

  async deactivate(actor: AuthContext, userId: string, meta: RequestMeta): Promise<void> {
    const m = await this.target(actor, userId);
    if (roleRank(m.role as Role) > roleRank(actor.role)) throw forbidden(`you cannot deactivate a member whose role (${m.role}) is above yours`);
    if (!m.is_active) return;
    await this.assertNotLastOwner(actor.organization_id, m.role, m.is_active);
    await this.platform.orgAdmin.setMembership(actor.organization_id, userId, { is_active: false });
    const ended = await this.platform.orgAdmin.revokeSessionsInOrganization(actor.organization_id, userId, new Date());
    await this.sessionEnds.ended('membership_removed', { user_id: userId, organization_id: actor.organization_id, with_api_keys: true });
    await this.repos.audit.record({
      organization_id: actor.organization_id,
      actor_user_id: actor.user_id,
      action: 'member.deactivated',
      target_type: 'user',
      target_id: userId,
      details: { sessions_ended: ended },
      ...meta,
    });
  }

  async leave(actor: AuthContext, meta: RequestMeta): Promise<void> {
    const m = await this.target(actor, actor.user_id);
    await this.assertNotLastOwner(actor.organization_id, m.role, m.is_active);
    await this.platform.orgAdmin.setMembership(actor.organization_id, actor.user_id, { is_active: false });
    await this.platform.orgAdmin.revokeSessionsInOrganization(actor.organization_id, actor.user_id, new Date());
    await this.sessionEnds.ended('left_organization', { user_id: actor.user_id, organization_id: actor.organization_id, with_api_keys: true });
    await this.repos.audit.record({ organization_id: actor.organization_id, actor_user_id: actor.user_id, action: 'member.left', target_type: 'user', target_id: actor.user_id, ...meta });
  }
}
