/** TOTP enrolments, password-reset tokens and the session list. */
import type { Database } from '../../client.js';

export interface MfaRow {
  user_id: string;
  secret: string;
  enabled_at: Date | null;
  recovery_code_hashes: string[];
  last_time_step: number | null;
  created_at: Date;
}

export interface PasswordResetRow {
  id: string;
  user_id: string;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
}

export interface SessionFamilyRow {
  family_id: string;
  organization_id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

export class SecurityRepository {
  constructor(private readonly database: Database) {}

  async findMfa(userId: string): Promise<MfaRow | null> {
    const [row] = await this.database.query<MfaRow>('SELECT * FROM user_mfa WHERE user_id = $1', [userId]);
    return row ? { ...row, last_time_step: row.last_time_step === null ? null : Number(row.last_time_step) } : null;
  }

  /** Starts (or restarts) an enrolment: the secret is not active until confirmed. */
  async startMfa(userId: string, secret: string): Promise<void> {
    await this.database.query(
      `INSERT INTO user_mfa (user_id, secret) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, enabled_at = NULL, recovery_code_hashes = '[]'::jsonb, last_time_step = NULL`,
      [userId, secret],
    );
  }

  async enableMfa(userId: string, recoveryHashes: string[], timeStep: number, at: Date): Promise<void> {
    await this.database.query('UPDATE user_mfa SET enabled_at = $2, recovery_code_hashes = $3::jsonb, last_time_step = $4 WHERE user_id = $1', [
      userId,
      at,
      JSON.stringify(recoveryHashes),
      timeStep,
    ]);
  }

  /** Records a used time step only if it is newer than the last one (a code works once). */
  async advanceTimeStep(userId: string, timeStep: number): Promise<boolean> {
    const rows = await this.database.query(
      'UPDATE user_mfa SET last_time_step = $2 WHERE user_id = $1 AND (last_time_step IS NULL OR last_time_step < $2) RETURNING user_id',
      [userId, timeStep],
    );
    return rows.length === 1;
  }

  /** Consumes one recovery code; false when it is not (or no longer) valid. */
  async useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const rows = await this.database.query(
      `UPDATE user_mfa SET recovery_code_hashes = recovery_code_hashes - $2::text
       WHERE user_id = $1 AND enabled_at IS NOT NULL AND recovery_code_hashes ? $2::text RETURNING user_id`,
      [userId, codeHash],
    );
    return rows.length === 1;
  }

  async deleteMfa(userId: string): Promise<void> {
    await this.database.query('DELETE FROM user_mfa WHERE user_id = $1', [userId]);
  }

  async isOrganizationMfaRequired(organizationId: string): Promise<boolean> {
    const [row] = await this.database.query<{ require_mfa: boolean }>('SELECT require_mfa FROM organizations WHERE id = $1', [organizationId]);
    return row?.require_mfa ?? false;
  }

  async createPasswordReset(input: { user_id: string; token_hash: string; expires_at: Date; ip: string | null }): Promise<void> {
    await this.database.query('INSERT INTO password_resets (user_id, token_hash, expires_at, ip) VALUES ($1, $2, $3, $4)', [
      input.user_id,
      input.token_hash,
      input.expires_at,
      input.ip,
    ]);
  }

  /** Uses a reset token once; returns its user, or null when unknown, used or expired. */
  async consumePasswordReset(tokenHash: string, at: Date): Promise<PasswordResetRow | null> {
    const [row] = await this.database.query<PasswordResetRow>(
      'UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING *',
      [tokenHash, at],
    );
    return row ?? null;
  }

  /** Live sessions of a user: one row per refresh-token family. */
  async listSessionFamilies(userId: string, now: Date): Promise<SessionFamilyRow[]> {
    return this.database.query<SessionFamilyRow>(
      `SELECT family_id, (array_agg(organization_id))[1] AS organization_id, min(created_at) AS created_at,
              max(created_at) AS last_used_at, max(expires_at) AS expires_at,
              (array_agg(ip ORDER BY created_at DESC))[1] AS ip, (array_agg(user_agent ORDER BY created_at DESC))[1] AS user_agent
       FROM refresh_tokens
       WHERE user_id = $1 AND family_id IN (
         SELECT family_id FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL AND rotated_at IS NULL AND expires_at > $2)
       GROUP BY family_id ORDER BY max(created_at) DESC`,
      [userId, now],
    );
  }

  async revokeSessionFamily(userId: string, familyId: string, at: Date): Promise<number> {
    const rows = await this.database.query(
      'UPDATE refresh_tokens SET revoked_at = $3 WHERE user_id = $1 AND family_id = $2 AND revoked_at IS NULL RETURNING id',
      [userId, familyId, at],
    );
    return rows.length;
  }
}
