/** Cross-organisation reads for the platform admin console. */
import type { Database } from '../../client.js';
import type { AuditRow } from '../audit.js';

export interface AdminOrganizationRow {
  id: string;
  name: string;
  is_demo: boolean;
  require_mfa: boolean;
  plan_id: string | null;
  members: number;
  active_members: number;
  created_at: Date;
}

export interface AdminUserRow {
  id: string;
  email: string;
  name: string;
  is_active: boolean;
  is_platform_admin: boolean;
  mfa_enabled: boolean;
  created_at: Date;
  last_login_at: Date | null;
  organizations: number;
}

/** An audit row with its actor's email (null for system actions or a deleted user). */
export type AuditWithActorRow = AuditRow & { actor_email: string | null };

const like = (q: string | undefined) => (q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null);

export class AdminRepository {
  constructor(private readonly database: Database) {}

  async searchOrganizations(q: string | undefined, limit: number, offset: number, id?: string): Promise<AdminOrganizationRow[]> {
    return this.database.query<AdminOrganizationRow>(
      `SELECT o.id, o.name, o.is_demo, o.require_mfa, s.plan_id, o.created_at,
              (SELECT count(*)::int FROM memberships m WHERE m.organization_id = o.id) AS members,
              (SELECT count(*)::int FROM memberships m WHERE m.organization_id = o.id AND m.is_active) AS active_members
       FROM organizations o LEFT JOIN subscriptions s ON s.organization_id = o.id
       WHERE ($1::text IS NULL OR o.name ILIKE $1 OR o.id::text = $4) AND ($5::uuid IS NULL OR o.id = $5)
       ORDER BY o.created_at DESC, o.id LIMIT $2 OFFSET $3`,
      [like(q), limit, offset, q ?? '', id ?? null],
    );
  }

  async searchUsers(q: string | undefined, limit: number, offset: number, id?: string): Promise<AdminUserRow[]> {
    return this.database.query<AdminUserRow>(
      `SELECT u.id, u.email, u.name, u.is_active, u.is_platform_admin, u.created_at, u.last_login_at,
              EXISTS (SELECT 1 FROM user_mfa f WHERE f.user_id = u.id AND f.enabled_at IS NOT NULL) AS mfa_enabled,
              (SELECT count(*)::int FROM memberships m WHERE m.user_id = u.id) AS organizations
       FROM users u
       WHERE ($1::text IS NULL OR u.email ILIKE $1 OR u.name ILIKE $1) AND ($4::uuid IS NULL OR u.id = $4)
       ORDER BY u.created_at DESC, u.id LIMIT $2 OFFSET $3`,
      [like(q), limit, offset, id ?? null],
    );
  }

  async counts(): Promise<{ organizations: number; users: number; active_users: number }> {
    const [row] = await this.database.query<{ organizations: number; users: number; active_users: number }>(
      `SELECT (SELECT count(*)::int FROM organizations) AS organizations, (SELECT count(*)::int FROM users) AS users,
              (SELECT count(*)::int FROM users WHERE is_active) AS active_users`,
    );
    return { organizations: Number(row!.organizations), users: Number(row!.users), active_users: Number(row!.active_users) };
  }

  /** Bids still in play: drafts, submitted and accepted, not yet cleared. */
  async activeBids(): Promise<number> {
    const [row] = await this.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM bids WHERE status IN ('draft', 'submitted', 'accepted')`);
    return Number(row?.n ?? 0);
  }

  async databaseSizeBytes(): Promise<number | null> {
    try {
      const [row] = await this.database.query<{ n: number }>('SELECT pg_database_size(current_database())::bigint AS n');
      return row ? Number(row.n) : null;
    } catch {
      return null;
    }
  }

  async audit(filter: { organization_id?: string; action?: string; actor_user_id?: string; since?: Date; before?: Date; limit: number }): Promise<AuditWithActorRow[]> {
    return this.database.query<AuditWithActorRow>(
      `SELECT a.id, a.organization_id, a.actor_user_id, u.email AS actor_email, a.action, a.target_type, a.target_id, a.ip, a.user_agent,
              a.details, a.created_at
       FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
       WHERE ($1::uuid IS NULL OR a.organization_id = $1) AND ($2::text IS NULL OR a.action LIKE $2)
         AND ($3::uuid IS NULL OR a.actor_user_id = $3) AND ($4::timestamptz IS NULL OR a.created_at >= $4)
         AND ($5::timestamptz IS NULL OR a.created_at < $5)
       ORDER BY a.created_at DESC, a.id LIMIT $6`,
      [
        filter.organization_id ?? null,
        filter.action ? filter.action.replace(/\*/g, '%') : null,
        filter.actor_user_id ?? null,
        filter.since ?? null,
        filter.before ?? null,
        filter.limit,
      ],
    );
  }
}
