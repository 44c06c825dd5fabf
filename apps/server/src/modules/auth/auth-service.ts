/**
 * Accounts and sessions: registration, login with rate limits, refresh-token
 * rotation with reuse detection, profile and password changes, and resolving a
 * bearer token into an AuthContext on every request.
 */
import { randomUUID } from 'node:crypto';
import { permissionsOf, type Role } from '@optibid/core';
import { PASSWORD_MIN_LENGTH, type RegisterBody, type LoginBody, type TokenResponse, type UserView } from '@optibid/contracts';
import type { Cache } from '../../cache/index.js';
import type { Config } from '../../config/index.js';
import type { Repositories, UserRow } from '../../db/repositories/index.js';
import { EmailTakenError } from '../../db/repositories/accounts.js';
import { conflict, forbidden, tooManyRequests, unauthorized, validationFailed } from '../../http/errors.js';
import type { AuthContext, RequestMeta } from '../../http/auth-context.js';
import type { SessionEnds } from '../../realtime/index.js';
import { TokenSigner, hashPassword, newRefreshToken, sha256, verifyPassword } from './crypto.js';

const LOGIN_WINDOW_S = 60;

/** What the platform module plugs into sign-in and request authentication. */
export interface AuthExtensions {
  /** Resolves an API key into who is calling, or throws 401. */
  resolveApiKey(key: string): Promise<AuthContext>;
  /** Called after the password is verified: throws when a second factor is needed and missing or wrong. */
  checkSecondFactor(user: UserRow, organizationId: string, code: string | undefined, meta: RequestMeta): Promise<void>;
  /** True when the organisation requires MFA and the user has not enrolled. */
  mfaEnrollmentPending(userId: string, organizationId: string): Promise<boolean>;
}

/** API keys carry this prefix, so a bearer value that is not a JWT is recognised as a key. */
export const API_KEY_PREFIX = 'obk_';
/** How long after a rotation the old refresh token is still accepted as a retry (Auth0 calls this the reuse interval). */
export const REFRESH_REUSE_GRACE_MS = 15_000;

export function checkPasswordPolicy(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw validationFailed(`${field} must be at least ${PASSWORD_MIN_LENGTH} characters`, [
      { field, message: `must be at least ${PASSWORD_MIN_LENGTH} characters` },
    ]);
  }
}

export class AuthService {
  private readonly signer: TokenSigner;
  // A fixed hash to verify against when the email is unknown, so timing does not reveal which emails exist.
  private dummyHash: Promise<string> | null = null;
  private extensions: AuthExtensions | null = null;

  constructor(
    private readonly repos: Repositories,
    private readonly cache: Cache,
    private readonly config: Config,
    private readonly sessionEnds: SessionEnds,
  ) {
    this.signer = new TokenSigner(config.jwtSecret, config.accessTokenTtlS);
  }

  /** The platform module installs API keys and MFA here when it starts. */
  extend(extensions: AuthExtensions): void {
    this.extensions = extensions;
  }

  async register(body: RegisterBody, meta: RequestMeta): Promise<TokenResponse> {
    checkPasswordPolicy(body.password);
    if (await this.repos.accounts.findUserByEmail(body.email)) throw conflict(`an account with email ${body.email} already exists`);
    const { user, organization_id } = await this.createAccount({
      email: body.email,
      password: body.password,
      name: body.name,
      organization_name: body.organization_name,
      role: 'owner',
    });
    await this.repos.audit.record({ organization_id, actor_user_id: user.id, action: 'auth.register', target_type: 'user', target_id: user.id, ...meta });
    return this.issueTokens(user, organization_id, randomUUID(), meta);
  }

  /** Creates a user in a new or existing organisation (used by registration, the CLI and the demo seed). */
  async createAccount(input: {
    email: string;
    password: string;
    name: string;
    organization_name?: string;
    organization_id?: string;
    role: Role;
    is_platform_admin?: boolean;
  }): Promise<{ user: UserRow; organization_id: string }> {
    checkPasswordPolicy(input.password);
    const password_hash = await hashPassword(input.password);
    try {
      return await this.repos.accounts.createAccount({
        email: input.email,
        name: input.name,
        password_hash,
        is_platform_admin: input.is_platform_admin ?? false,
        organization_name: input.organization_name ?? `${input.name}'s organisation`,
        organization_id: input.organization_id,
        role: input.role,
      });
    } catch (err) {
      // Two registrations racing past the lookup above meet at the unique index.
      if (err instanceof EmailTakenError) throw conflict(err.message);
      throw err;
    }
  }

  async login(body: LoginBody, meta: RequestMeta): Promise<TokenResponse> {
    const email = body.email.trim().toLowerCase();
    const ipHit = await this.cache.hit(`login:ip:${meta.ip}`, this.config.loginRateLimit.perIpPerMinute, LOGIN_WINDOW_S);
    if (!ipHit.allowed) throw tooManyRequests(`too many login attempts from this address; try again in ${ipHit.reset_s} s`, ipHit.reset_s);
    // Counted before the password is checked, in one atomic increment: concurrent guesses cannot
    // all read "under the limit" and then each run a check. A successful sign-in resets it.
    const emailHit = await this.cache.hit(`login:email:${email}`, this.config.loginRateLimit.perEmailPerMinute, LOGIN_WINDOW_S);
    if (!emailHit.allowed) throw tooManyRequests(`too many failed logins for ${email}; try again in ${emailHit.reset_s} s`, emailHit.reset_s);

    const user = await this.repos.accounts.findUserByEmail(email);
    const ok = user ? await verifyPassword(user.password_hash, body.password) : await this.burnTime(body.password);
    if (!user || !ok || !user.is_active) {
      await this.repos.audit.record({
        organization_id: null,
        actor_user_id: user?.id ?? null,
        action: 'auth.login_failed',
        target_type: 'user',
        target_id: email,
        details: { reason: !user ? 'unknown_email' : !ok ? 'wrong_password' : 'inactive' },
        ...meta,
      });
      throw unauthorized(user && ok && !user.is_active ? 'this account is deactivated' : 'email or password is incorrect');
    }
    const memberships = (await this.repos.accounts.listMembershipsOfUser(user.id)).filter((m) => m.is_active);
    const membership = body.organization_id ? memberships.find((m) => m.organization_id === body.organization_id) : memberships[0];
    if (!membership) throw forbidden(body.organization_id ? 'you are not an active member of that organisation' : 'this account belongs to no active organisation');
    if (this.extensions) await this.extensions.checkSecondFactor(user, membership.organization_id, body.mfa_code, meta);
    await this.cache.reset(`login:email:${email}`);
    await this.repos.accounts.updateUser(user.id, { last_login_at: new Date() });
    await this.repos.audit.record({ organization_id: membership.organization_id, actor_user_id: user.id, action: 'auth.login', target_type: 'user', target_id: user.id, ...meta });
    return this.issueTokens(user, membership.organization_id, randomUUID(), meta);
  }

  async refresh(refreshToken: string, meta: RequestMeta): Promise<TokenResponse> {
    const now = new Date();
    const row = await this.repos.sessions.findByHash(sha256(refreshToken));
    if (!row) throw unauthorized('refresh token is not valid');
    if (row.revoked_at) throw unauthorized('this session was revoked; sign in again');
    // A client whose page closed while a refresh was in flight never saw the rotated token and
    // presents the old one again moments later: within a short grace period that is a retry, not theft.
    const retry = row.rotated_at !== null && now.getTime() - row.rotated_at.getTime() < REFRESH_REUSE_GRACE_MS;
    if (!retry && (row.rotated_at || !(await this.repos.sessions.markRotated(row.id, now)))) {
      // A rotated token presented again means it leaked: end the whole session family.
      await this.repos.sessions.revokeFamily(row.family_id, now);
      await this.sessionEnds.ended('refresh_reuse', { session_ids: [row.family_id] });
      await this.repos.audit.record({
        organization_id: row.organization_id,
        actor_user_id: row.user_id,
        action: 'auth.refresh_reuse_detected',
        target_type: 'session',
        target_id: row.family_id,
        ...meta,
      });
      throw unauthorized('refresh token was already used; the session has been revoked for safety, sign in again');
    }
    if (row.expires_at <= now) throw unauthorized('refresh token expired; sign in again');
    const user = await this.repos.accounts.findUser(row.user_id);
    const membership = await this.repos.accounts.findMembership(row.organization_id, row.user_id);
    if (!user?.is_active || !membership?.is_active) {
      await this.repos.sessions.revokeFamily(row.family_id, now);
      await this.sessionEnds.ended('account_inactive', { session_ids: [row.family_id] });
      throw unauthorized('this account is no longer active');
    }
    return this.issueTokens(user, row.organization_id, row.family_id, meta);
  }

  async logout(refreshToken: string | undefined, ctx: AuthContext | null): Promise<void> {
    const now = new Date();
    let family: string | null = null;
    if (refreshToken) {
      const row = await this.repos.sessions.findByHash(sha256(refreshToken));
      if (row) family = row.family_id;
    } else if (ctx?.session_id) {
      family = ctx.session_id;
    }
    if (!family) return;
    await this.repos.sessions.revokeFamily(family, now);
    // Its sockets close on every instance (the access token itself stays signed until it expires, but is refused).
    await this.sessionEnds.ended('logout', { session_ids: [family] });
  }

  async me(ctx: AuthContext): Promise<UserView> {
    const user = await this.repos.accounts.findUser(ctx.user_id);
    const org = await this.repos.accounts.findOrganization(ctx.organization_id);
    if (!user || !org) throw unauthorized();
    return this.view(user, org.id, org.name, ctx.role);
  }

  async updateProfile(ctx: AuthContext, patch: { name?: string }, meta: RequestMeta): Promise<UserView> {
    if (patch.name !== undefined) {
      const name = patch.name.trim();
      if (!name) throw validationFailed('name must not be empty', [{ field: 'name', message: 'must not be empty' }]);
      await this.repos.accounts.updateUser(ctx.user_id, { name });
      await this.repos.audit.record({ organization_id: ctx.organization_id, actor_user_id: ctx.user_id, action: 'user.profile_updated', target_type: 'user', target_id: ctx.user_id, ...meta });
    }
    return this.me(ctx);
  }

  async changePassword(ctx: AuthContext, current: string, next: string, meta: RequestMeta): Promise<void> {
    const user = await this.repos.accounts.findUser(ctx.user_id);
    if (!user || !(await verifyPassword(user.password_hash, current))) {
      throw validationFailed('current password is incorrect', [{ field: 'current_password', message: 'is incorrect' }]);
    }
    checkPasswordPolicy(next, 'new_password');
    await this.repos.accounts.updateUser(ctx.user_id, { password_hash: await hashPassword(next) });
    // Other sessions end; the one that changed the password stays signed in.
    await this.repos.sessions.revokeAllForUser(ctx.user_id, new Date(), ctx.session_id ?? undefined);
    await this.sessionEnds.ended('password_changed', { user_id: ctx.user_id, ...(ctx.session_id ? { except_session_id: ctx.session_id } : {}) });
    await this.repos.audit.record({ organization_id: ctx.organization_id, actor_user_id: ctx.user_id, action: 'auth.password_changed', target_type: 'user', target_id: ctx.user_id, ...meta });
  }

  /**
   * Resolves the credential a request carries: an `X-API-Key` header, a bearer
   * API key (recognised by its prefix) or a bearer access token.
   */
  async authenticateCredential(credential: { bearer?: string; apiKey?: string }): Promise<AuthContext> {
    const key = credential.apiKey ?? (credential.bearer?.startsWith(API_KEY_PREFIX) ? credential.bearer : undefined);
    if (key !== undefined) {
      if (!this.extensions) throw unauthorized('API keys are not enabled on this server');
      return this.extensions.resolveApiKey(key);
    }
    if (!credential.bearer) throw unauthorized('authentication required: send Authorization: Bearer <token>');
    return this.authenticate(credential.bearer);
  }

  /** Signs a user in after a flow that proved who they are another way (accepting an invitation). */
  async issueSession(user: UserRow, organizationId: string, meta: RequestMeta): Promise<TokenResponse> {
    return this.issueTokens(user, organizationId, randomUUID(), meta);
  }

  /** Resolves an access token into who is calling; the user, membership and session must all still be live. */
  async authenticate(token: string): Promise<AuthContext> {
    const claims = await this.signer.verify(token);
    if ('error' in claims) throw unauthorized(claims.error);
    const checked_at = Date.now();
    const [user, membership, live] = await Promise.all([
      this.repos.accounts.findUser(claims.sub),
      this.repos.accounts.findMembership(claims.org, claims.sub),
      // The session must be the caller's own in that organisation: a live sid of another user proves nothing.
      this.repos.sessions.isFamilyLive(claims.sid, claims.sub, claims.org, new Date()),
    ]);
    if (!user?.is_active || !membership?.is_active) throw unauthorized('this account is no longer active');
    if (!live) throw unauthorized('this session was ended; sign in again');
    return {
      user_id: user.id,
      organization_id: claims.org,
      role: membership.role as Role,
      is_platform_admin: user.is_platform_admin,
      session_id: claims.sid,
      via: 'jwt',
      ...(claims.mfa_pending ? { mfa_pending: true } : {}),
      checked_at,
    };
  }

  private async issueTokens(user: UserRow, organizationId: string, familyId: string, meta: RequestMeta): Promise<TokenResponse> {
    const refresh = newRefreshToken();
    await this.repos.sessions.insert({
      family_id: familyId,
      user_id: user.id,
      organization_id: organizationId,
      token_hash: sha256(refresh),
      expires_at: new Date(Date.now() + this.config.refreshTokenTtlS * 1000),
      user_agent: meta.user_agent,
      ip: meta.ip,
    });
    const mfaPending = this.extensions ? await this.extensions.mfaEnrollmentPending(user.id, organizationId) : false;
    const access = await this.signer.sign({ sub: user.id, org: organizationId, sid: familyId, mfa_pending: mfaPending });
    const org = await this.repos.accounts.findOrganization(organizationId);
    const membership = await this.repos.accounts.findMembership(organizationId, user.id);
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: 'bearer',
      expires_in: this.config.accessTokenTtlS,
      user: this.view(user, organizationId, org?.name ?? '', (membership?.role ?? 'viewer') as Role),
    };
  }

  private view(user: UserRow, orgId: string, orgName: string, role: Role): UserView {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role,
      organization: { id: orgId, name: orgName },
      is_platform_admin: user.is_platform_admin,
      permissions: permissionsOf(role),
    };
  }

  private async burnTime(password: string): Promise<false> {
    this.dummyHash ??= hashPassword('not-a-real-password-000');
    await verifyPassword(await this.dummyHash, password);
    return false;
  }
}
