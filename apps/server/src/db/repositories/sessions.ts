/** Refresh tokens, stored hashed, grouped in rotation families. */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { refreshTokens } from '../schema/index.js';

export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

export class SessionsRepository {
  constructor(private readonly db: Db) {}

  async insert(input: {
    family_id: string;
    user_id: string;
    organization_id: string;
    token_hash: string;
    expires_at: Date;
    user_agent?: string | null;
    ip?: string | null;
  }): Promise<RefreshTokenRow> {
    const [row] = await this.db.insert(refreshTokens).values(input).returning();
    return row!;
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRow | null> {
    const [row] = await this.db.select().from(refreshTokens).where(eq(refreshTokens.token_hash, tokenHash));
    return row ?? null;
  }

  /**
   * Marks a token rotated only if it is still live. Returns false when another
   * request rotated or revoked it first, which the caller treats as reuse.
   */
  async markRotated(id: string, at: Date): Promise<boolean> {
    const rows = await this.db
      .update(refreshTokens)
      .set({ rotated_at: at })
      .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.rotated_at), isNull(refreshTokens.revoked_at)))
      .returning({ id: refreshTokens.id });
    return rows.length === 1;
  }

  async revokeFamily(familyId: string, at: Date): Promise<number> {
    const rows = await this.db
      .update(refreshTokens)
      .set({ revoked_at: at })
      .where(and(eq(refreshTokens.family_id, familyId), isNull(refreshTokens.revoked_at)))
      .returning({ id: refreshTokens.id });
    return rows.length;
  }

  async revokeAllForUser(userId: string, at: Date, exceptFamily?: string): Promise<number> {
    const rows = await this.db
      .update(refreshTokens)
      .set({ revoked_at: at })
      .where(
        and(
          eq(refreshTokens.user_id, userId),
          isNull(refreshTokens.revoked_at),
          exceptFamily ? sql`${refreshTokens.family_id} <> ${exceptFamily}` : undefined,
        ),
      )
      .returning({ id: refreshTokens.id });
    return rows.length;
  }

  /** Whether a session family still has a live token (access tokens of a revoked family stop working). */
  async isFamilyLive(familyId: string, now: Date): Promise<boolean> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.family_id, familyId), isNull(refreshTokens.revoked_at), sql`${refreshTokens.expires_at} > ${now}`));
    return Number(row?.n ?? 0) > 0;
  }
}
