/** Invitations and API keys (tokens and keys stored as SHA-256 only), and membership changes. */
import type { Role } from '@optibid/core';
import type { Database, Queryable } from '../../client.js';

export interface InvitationRow {
  id: string;
  organization_id: string;
  email: string;
  role: Role;
  token_hash: string;
  invited_by: string | null;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
  created_at: Date;
}

export interface ApiKeyRow {
  id: string;
  organization_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string[];
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export class OrgAdminRepository {
  constructor(private readonly database: Database) {}

  async countActiveAssets(organizationId: string): Promise<number> {
    const [row] = await this.database.query<{ n: number }>('SELECT count(*)::int AS n FROM assets WHERE organization_id = $1 AND active', [organizationId]);
    return Number(row?.n ?? 0);
  }

  async createInvitation(input: { organization_id: string; email: string; role: Role; token_hash: string; invited_by: string; expires_at: Date }): Promise<InvitationRow> {
    const [row] = await this.database.query<InvitationRow>(
      `INSERT INTO invitations (organization_id, email, role, token_hash, invited_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [input.organization_id, input.email, input.role, input.token_hash, input.invited_by, input.expires_at],
    );
    return row!;
  }

  async listInvitations(organizationId: string): Promise<InvitationRow[]> {
    return this.database.query<InvitationRow>('SELECT * FROM invitations WHERE organization_id = $1 ORDER BY created_at DESC LIMIT 500', [organizationId]);
  }

  async findInvitationByHash(tokenHash: string): Promise<InvitationRow | null> {
    const [row] = await this.database.query<InvitationRow>('SELECT * FROM invitations WHERE token_hash = $1', [tokenHash]);
    return row ?? null;
  }

  async countPendingInvitations(organizationId: string, now: Date): Promise<number> {
    const [row] = await this.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM invitations WHERE organization_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2',
      [organizationId, now],
    );
    return Number(row?.n ?? 0);
  }

  async revokeInvitation(organizationId: string, id: string, at: Date): Promise<InvitationRow | null> {
    const [row] = await this.database.query<InvitationRow>(
      `UPDATE invitations SET revoked_at = $3 WHERE organization_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING *`,
      [organizationId, id, at],
    );
    return row ?? null;
  }

  /** Marks an invitation accepted only if it is still open; false means another request used it first. */
  async acceptInvitation(id: string, userId: string, at: Date): Promise<boolean> {
    const rows = await this.database.query(
      `UPDATE invitations SET accepted_at = $3, accepted_by = $2
       WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3 RETURNING id`,
      [id, userId, at],
    );
    return rows.length === 1;
  }

  async setMembership(organizationId: string, userId: string, patch: { role?: Role; is_active?: boolean }, tx: Queryable = this.database): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE memberships SET role = COALESCE($3, role), is_active = COALESCE($4, is_active)
       WHERE organization_id = $1 AND user_id = $2 RETURNING user_id`,
      [organizationId, userId, patch.role ?? null, patch.is_active ?? null],
    );
    return rows.length === 1;
  }

  async countActiveOwners(organizationId: string): Promise<number> {
    const [row] = await this.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.organization_id = $1 AND m.role = 'owner' AND m.is_active AND u.is_active`,
      [organizationId],
    );
    return Number(row?.n ?? 0);
  }

  async countActiveMembers(organizationId: string): Promise<number> {
    const [row] = await this.database.query<{ n: number }>('SELECT count(*)::int AS n FROM memberships WHERE organization_id = $1 AND is_active', [organizationId]);
    return Number(row?.n ?? 0);
  }

  async revokeSessionsInOrganization(organizationId: string, userId: string, at: Date, tx: Queryable = this.database): Promise<number> {
    const rows = await tx.query(
      'UPDATE refresh_tokens SET revoked_at = $3 WHERE organization_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id',
      [organizationId, userId, at],
    );
    return rows.length;
  }

  async setRequireMfa(organizationId: string, patch: { require_mfa?: boolean; name?: string }, tx: Queryable = this.database): Promise<void> {
    await tx.query('UPDATE organizations SET require_mfa = COALESCE($2, require_mfa), name = COALESCE($3, name) WHERE id = $1', [
      organizationId,
      patch.require_mfa ?? null,
      patch.name ?? null,
    ]);
  }

  async createApiKey(input: { organization_id: string; name: string; prefix: string; key_hash: string; scopes: string[]; created_by: string }): Promise<ApiKeyRow> {
    const [row] = await this.database.query<ApiKeyRow>(
      `INSERT INTO api_keys (organization_id, name, prefix, key_hash, scopes, created_by)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING *`,
      [input.organization_id, input.name, input.prefix, input.key_hash, JSON.stringify(input.scopes), input.created_by],
    );
    return row!;
  }

  async listApiKeys(organizationId: string): Promise<ApiKeyRow[]> {
    return this.database.query<ApiKeyRow>('SELECT * FROM api_keys WHERE organization_id = $1 ORDER BY created_at DESC', [organizationId]);
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRow | null> {
    const [row] = await this.database.query<ApiKeyRow>('SELECT * FROM api_keys WHERE key_hash = $1', [keyHash]);
    return row ?? null;
  }

  async revokeApiKey(organizationId: string, id: string, at: Date): Promise<ApiKeyRow | null> {
    const [row] = await this.database.query<ApiKeyRow>(
      'UPDATE api_keys SET revoked_at = $3 WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING *',
      [organizationId, id, at],
    );
    return row ?? null;
  }

  async touchApiKey(id: string, at: Date): Promise<void> {
    await this.database.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [id, at]);
  }
}
