/**
 * Account security: TOTP enrolment with recovery codes, the second factor at
 * sign-in (and the organisation's requirement of it), password reset by an
 * emailed single-use token, and the session list with revoke.
 */
import { randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { SessionView } from '@optibid/contracts';
import type { Cache } from '../../cache/index.js';
import type { Repositories, UserRow } from '../../db/repositories/index.js';
import type { SecurityRepository } from '../../db/repositories/platform/index.js';
import { AppError, conflict, notFound, tooManyRequests, unauthorized, validationFailed } from '../../http/errors.js';
import type { Mailer } from '../../mail/mailer.js';
import type { AuthContext, RequestMeta } from '../../http/auth-context.js';
import type { SessionEnds } from '../../realtime/index.js';
import { checkPasswordPolicy } from './auth-service.js';
import { hashPassword, sha256, verifyPassword } from './crypto.js';

const ISSUER = 'OptiBid';
const RECOVERY_CODES = 10;
const RESET_TTL_MS = 60 * 60 * 1000;
const MFA_FAILURES_PER_MINUTE = 5;

/** Recovery codes look like `abcd-efgh-ijkl`; compared case-insensitively without dashes. */
function newRecoveryCode(): string {
  const raw = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x').slice(0, 12);
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
}
/** The RFC 6238 time step a verified code belongs to: floor(unix seconds / 30) + the window offset it matched at. */
function timeStepOf(result: { delta: number }, nowMs = Date.now()): number {
  return Math.floor(nowMs / 1000 / 30) + result.delta;
}
const normaliseRecovery = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, '');

export interface SecurityLog {
  info(obj: object, msg?: string): void;
}

export class SecurityService {
  constructor(
    private readonly repos: Repositories,
    private readonly security: SecurityRepository,
    private readonly cache: Cache,
    private readonly mailer: Mailer,
    private readonly log: SecurityLog,
    private readonly sessionEnds: SessionEnds,
  ) {}

  async mfaStatus(auth: AuthContext) {
    const row = await this.security.findMfa(auth.user_id);
    return {
      enabled: !!row?.enabled_at,
      required_by_organization: await this.security.isOrganizationMfaRequired(auth.organization_id),
      recovery_codes_left: row?.enabled_at ? row.recovery_code_hashes.length : 0,
    };
  }

  async enroll(auth: AuthContext) {
    const existing = await this.security.findMfa(auth.user_id);
    if (existing?.enabled_at) throw conflict('two-factor authentication is already on; disable it first to enrol a new device');
    const user = await this.repos.accounts.findUser(auth.user_id);
    if (!user) throw unauthorized();
    const secret = generateSecret();
    await this.security.startMfa(auth.user_id, secret);
    const otpauth_uri = generateURI({ issuer: ISSUER, label: user.email, secret });
    const svg = await QRCode.toString(otpauth_uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret, otpauth_uri, qr_svg_data_url: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
  }

  /** Checks a TOTP code (each time step accepted once) or consumes a recovery code. */
  private async checkCode(userId: string, secret: string, code: string, allowRecovery: boolean): Promise<boolean> {
    const digits = code.replace(/\s/g, '');
    if (/^\d{6}$/.test(digits)) {
      const result = await verify({ secret, token: digits, epochTolerance: 30 });
      if (!result.valid) return false;
      return this.security.advanceTimeStep(userId, timeStepOf(result));
    }
    if (!allowRecovery) return false;
    return this.security.useRecoveryCode(userId, sha256(normaliseRecovery(code)));
  }

  async confirmEnrollment(auth: AuthContext, code: string, meta: RequestMeta) {
    const row = await this.security.findMfa(auth.user_id);
    if (!row) throw notFound('pending two-factor enrolment (start with /api/auth/mfa/enroll)');
    if (row.enabled_at) throw conflict('two-factor authentication is already on');
    const digits = code.replace(/\s/g, '');
    const result = /^\d{6}$/.test(digits) ? await verify({ secret: row.secret, token: digits, epochTolerance: 30 }) : { valid: false as const };
    if (!result.valid) throw validationFailed('the code is not valid for this secret; check the device clock and try the next code', [{ field: 'code', message: 'is not valid' }]);
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await this.security.enableMfa(auth.user_id, codes.map((c) => sha256(normaliseRecovery(c))), timeStepOf(result), new Date());
    await this.repos.audit.record({ organization_id: auth.organization_id, actor_user_id: auth.user_id, action: 'auth.mfa_enabled', target_type: 'user', target_id: auth.user_id, ...meta });
    return { enabled: true, recovery_codes: codes };
  }

  async disable(auth: AuthContext, password: string, code: string, meta: RequestMeta): Promise<void> {
    const user = await this.repos.accounts.findUser(auth.user_id);
    const row = await this.security.findMfa(auth.user_id);
    if (!row?.enabled_at) throw conflict('two-factor authentication is not on');
    if (!user || !(await verifyPassword(user.password_hash, password))) throw validationFailed('password is incorrect', [{ field: 'password', message: 'is incorrect' }]);
    if (!(await this.checkCode(auth.user_id, row.secret, code, true))) throw validationFailed('the code is not valid', [{ field: 'code', message: 'is not valid' }]);
    await this.security.deleteMfa(auth.user_id);
    await this.repos.audit.record({ organization_id: auth.organization_id, actor_user_id: auth.user_id, action: 'auth.mfa_disabled', target_type: 'user', target_id: auth.user_id, ...meta });
  }

  /** The second factor at sign-in: 401 `mfa_required` without a code, 401 `mfa_invalid` with a wrong one. */
  async checkSecondFactor(user: UserRow, organizationId: string, code: string | undefined, meta: RequestMeta): Promise<void> {
    const row = await this.security.findMfa(user.id);
    if (!row?.enabled_at) return;
    if (!code) throw new AppError(401, 'mfa_required', 'enter the code from your authenticator app (or a recovery code) as mfa_code');
    const failures = await this.cache.peek(`mfa:fail:${user.id}`);
    if (failures >= MFA_FAILURES_PER_MINUTE) throw tooManyRequests('too many wrong codes; try again in a minute', 60);
    if (!(await this.checkCode(user.id, row.secret, code, true))) {
      await this.cache.hit(`mfa:fail:${user.id}`, MFA_FAILURES_PER_MINUTE, 60);
      await this.repos.audit.record({ organization_id: organizationId, actor_user_id: user.id, action: 'auth.mfa_failed', target_type: 'user', target_id: user.id, ...meta });
      throw new AppError(401, 'mfa_invalid', 'the two-factor code is not valid');
    }
    await this.cache.reset(`mfa:fail:${user.id}`);
  }

  async mfaEnrollmentPending(userId: string, organizationId: string): Promise<boolean> {
    if (!(await this.security.isOrganizationMfaRequired(organizationId))) return false;
    return !(await this.security.findMfa(userId))?.enabled_at;
  }

  /** Always answers the same way, so the endpoint does not reveal which emails have accounts. */
  async requestPasswordReset(email: string, meta: RequestMeta, origin: string): Promise<void> {
    const ipHit = await this.cache.hit(`reset:ip:${meta.ip}`, 10, 3600);
    if (!ipHit.allowed) throw tooManyRequests('too many reset requests from this address', ipHit.reset_s);
    const user = await this.repos.accounts.findUserByEmail(email);
    if (!user?.is_active) {
      this.log.info({ email }, 'password reset requested for an unknown or inactive account');
      return;
    }
    const token = randomBytes(32).toString('base64url');
    const expires = new Date(Date.now() + RESET_TTL_MS);
    await this.security.createPasswordReset({ user_id: user.id, token_hash: sha256(token), expires_at: expires, ip: meta.ip });
    const url = `${origin}/reset-password?token=${encodeURIComponent(token)}`;
    const mail = await this.mailer.trySend({
      to: user.email,
      subject: 'Reset your OptiBid password',
      text: `Someone (hopefully you) asked to reset the password of ${user.email}.\n\nReset it here: ${url}\n\nReset token: ${token}\n\nThe link works once, until ${expires.toISOString()}. If you did not ask, ignore this message.`,
    });
    if (!mail.delivered) this.log.info({ user_id: user.id, reset_url: url }, 'password reset link (not mailed: SMTP_URL not set)');
    await this.repos.audit.record({ organization_id: null, actor_user_id: user.id, action: 'auth.password_reset_requested', target_type: 'user', target_id: user.id, details: { emailed: mail.delivered }, ...meta });
  }

  async confirmPasswordReset(token: string, newPassword: string, meta: RequestMeta): Promise<void> {
    checkPasswordPolicy(newPassword, 'new_password');
    const row = await this.security.consumePasswordReset(sha256(token), new Date());
    if (!row) throw new AppError(400, 'invalid_token', 'this reset link is not valid: it was used, has expired or never existed');
    await this.repos.accounts.updateUser(row.user_id, { password_hash: await hashPassword(newPassword) });
    const ended = await this.repos.sessions.revokeAllForUser(row.user_id, new Date());
    await this.sessionEnds.ended('password_reset', { user_id: row.user_id });
    await this.repos.audit.record({
      organization_id: null,
      actor_user_id: row.user_id,
      action: 'auth.password_reset',
      target_type: 'user',
      target_id: row.user_id,
      details: { sessions_ended: ended },
      ...meta,
    });
  }

  async sessions(auth: AuthContext): Promise<SessionView[]> {
    const rows = await this.security.listSessionFamilies(auth.user_id, new Date());
    return rows.map((r) => ({
      id: r.family_id,
      organization_id: r.organization_id,
      created_at: r.created_at.toISOString(),
      last_used_at: r.last_used_at.toISOString(),
      expires_at: r.expires_at.toISOString(),
      ip: r.ip,
      user_agent: r.user_agent,
      current: r.family_id === auth.session_id,
    }));
  }

  async revokeSession(auth: AuthContext, id: string, meta: RequestMeta): Promise<void> {
    const n = await this.security.revokeSessionFamily(auth.user_id, id, new Date());
    if (n === 0) throw notFound('session');
    await this.sessionEnds.ended('session_revoked', { session_ids: [id] });
    await this.repos.audit.record({ organization_id: auth.organization_id, actor_user_id: auth.user_id, action: 'auth.session_revoked', target_type: 'session', target_id: id, ...meta });
  }
}
