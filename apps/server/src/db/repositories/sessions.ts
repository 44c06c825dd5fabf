/** Refresh tokens, stored hashed, grouped in rotation families. */
import type { Database, Queryable } from '../client.js';

export interface RefreshTokenRow {
  id: string;
  family_id: string;
  user_id: string;
  organization_id: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
  user_agent: string | null;
  ip: string | null;
}

const COLS = 'id, family_id, user_id, organization_id, token_hash, created_at, expires_at, rotated_at, revoked_at, user_agent, ip';

export class SessionsRepository {
  constructor(private readonly database: Database) {}

  async insert(input: {
    family_id: string;
    user_id: string;
    organization_id: string;
    token_hash: string;
    expires_at: Date;
    user_agent?: string | null;
    ip?: string | null;
  }): Promise<RefreshTokenRow> {
    const [row] = await this.database.query<RefreshTokenRow>(
      `INSERT INTO refresh_tokens (family_id, user_id, organization_id, token_hash, expires_at, user_agent, ip)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLS}`,
      [input.family_id, input.user_id, input.organization_id, input.token_hash, input.expires_at, input.user_agent ?? null, input.ip ?? null],
    );
    return row!;
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRow | null> {
    const [row] = await this.database.query<RefreshTokenRow>(`SELECT ${COLS} FROM refresh_tokens WHERE token_hash = $1`, [tokenHash]);
    return row ?? null;
  }

  /**
   * Marks a token rotated only if it is still live. Returns false when another
   * request rotated or revoked it first, which the caller treats as reuse.
   */
  async markRotated(id: string, at: Date): Promise<boolean> {
    const rows = await this.database.query('UPDATE refresh_tokens SET rotated_at = $2 WHERE id = $1 AND rotated_at IS NULL AND revoked_at IS NULL RETURNING id', [id, at]);
    return rows.length === 1;
  }

  async revokeFamily(familyId: string, at: Date): Promise<number> {
    const rows = await this.database.query('UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL RETURNING id', [familyId, at]);
    return rows.length;
  }

  async revokeAllForUser(userId: string, at: Date, exceptFamily?: string, tx: Queryable = this.database): Promise<number> {
    const rows = await tx.query(
      'UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR family_id <> $3::uuid) RETURNING id',
      [userId, at, exceptFamily ?? null],
    );
    return rows.length;
  }

  /** Whether a session family still has a live token (access tokens of a revoked family stop working). */
  /** Whether the session (refresh-token family) is live and belongs to this user in this organisation. */
  async isFamilyLive(familyId: string, userId: string, organizationId: string, now: Date): Promise<boolean> {
    const [row] = await this.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM refresh_tokens WHERE family_id = $1 AND user_id = $2 AND organization_id = $3 AND revoked_at IS NULL AND expires_at > $4',
      [familyId, userId, organizationId, now],
    );
    return Number(row?.n ?? 0) > 0;
  }
}
