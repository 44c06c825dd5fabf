/** The audit log: who did what, when, from where. */
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { auditLog } from '../schema/index.js';

export type AuditRow = typeof auditLog.$inferSelect;

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

export class AuditRepository {
  constructor(private readonly db: Db) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.insert(auditLog).values({ ...entry, details: entry.details ?? {} });
  }

  async list(filter: AuditFilter): Promise<AuditRow[]> {
    const where: (SQL | undefined)[] = [
      filter.organization_id ? eq(auditLog.organization_id, filter.organization_id) : undefined,
      filter.action ? sql`${auditLog.action} LIKE ${filter.action.replace(/\*/g, '%')}` : undefined,
      filter.actor_user_id ? eq(auditLog.actor_user_id, filter.actor_user_id) : undefined,
      filter.since ? gte(auditLog.created_at, filter.since) : undefined,
      filter.before ? lt(auditLog.created_at, filter.before) : undefined,
    ];
    return this.db
      .select()
      .from(auditLog)
      .where(and(...where))
      .orderBy(desc(auditLog.created_at))
      .limit(filter.limit);
  }
}
