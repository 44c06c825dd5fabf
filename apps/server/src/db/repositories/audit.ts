/**
 * The audit log: who did what, when, from where. `record` is the one way a
 * row is written; given the transaction of the change it records, the row
 * commits or rolls back with that change.
 */
import type { Database, Queryable } from '../client.js';

export interface AuditRow {
  id: string;
  organization_id: string | null;
  actor_user_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
  created_at: Date;
}

export interface AuditEntry {
  organization_id: string | null;
  actor_user_id: string | null;
  action: string;
  target_type?: string | null;
  target_id?: string | null;
  ip?: string | null;
  user_agent?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditFilter {
  /** null = all organisations (platform admins only; the service enforces that). */
  organization_id: string | null;
  action?: string;
  actor_user_id?: string;
  since?: Date;
  before?: Date;
  limit: number;
}

const COLS = 'id, organization_id, actor_user_id, action, target_type, target_id, ip, user_agent, details, created_at';

export class AuditRepository {
  constructor(private readonly database: Database) {}

  /** Writes one audit row, inside `tx` when the change it records is transactional. */
  async record(entry: AuditEntry, tx: Queryable = this.database): Promise<void> {
    await tx.query(
      `INSERT INTO audit_log (organization_id, actor_user_id, action, target_type, target_id, ip, user_agent, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [
        entry.organization_id,
        entry.actor_user_id,
        entry.action,
        entry.target_type ?? null,
        entry.target_id ?? null,
        entry.ip ?? null,
        entry.user_agent ?? null,
        JSON.stringify(entry.details ?? {}),
      ],
    );
  }

  async list(filter: AuditFilter): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (filter.organization_id) add((p) => `organization_id = ${p}`, filter.organization_id);
    if (filter.action) add((p) => `action LIKE ${p}`, filter.action.replace(/\*/g, '%'));
    if (filter.actor_user_id) add((p) => `actor_user_id = ${p}`, filter.actor_user_id);
    if (filter.since) add((p) => `created_at >= ${p}`, filter.since);
    if (filter.before) add((p) => `created_at < ${p}`, filter.before);
    params.push(filter.limit);
    return this.database.query<AuditRow>(
      `SELECT ${COLS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT $${params.length}`,
      params,
    );
  }
}
