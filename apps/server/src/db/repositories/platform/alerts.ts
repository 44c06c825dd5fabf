/** Alert rules per user and the notifications they raise. */
import type { Database, Queryable } from '../../client.js';

export interface AlertRuleRow {
  id: string;
  organization_id: string;
  user_id: string;
  name: string;
  type: string;
  params: Record<string, unknown>;
  email: boolean;
  enabled: boolean;
  last_triggered_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface NotificationRow {
  id: string;
  organization_id: string;
  user_id: string;
  rule_id: string | null;
  occurrence_key: string;
  category: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  message: string;
  data: Record<string, unknown>;
  read_at: Date | null;
  emailed_at: Date | null;
  /** When its alert was handed to the bus and its e-mail tried; null until then. */
  sent_at: Date | null;
  created_at: Date;
}

export type NotificationInput = Omit<NotificationRow, 'id' | 'read_at' | 'emailed_at' | 'sent_at' | 'created_at'>;

/** Inserts a notification once per (user, occurrence) on `q` (a transaction's or the pool); null when it already exists. */
export async function insertNotificationOn(q: Queryable, input: NotificationInput): Promise<NotificationRow | null> {
  const [row] = await q.query<NotificationRow>(
    `INSERT INTO notifications (organization_id, user_id, rule_id, occurrence_key, category, severity, title, message, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
     ON CONFLICT (user_id, occurrence_key) DO NOTHING RETURNING *`,
    [input.organization_id, input.user_id, input.rule_id, input.occurrence_key, input.category, input.severity, input.title, input.message, JSON.stringify(input.data)],
  );
  if (row && input.rule_id) await q.query('UPDATE alert_rules SET last_triggered_at = $2 WHERE id = $1', [input.rule_id, row.created_at]);
  return row ?? null;
}

export interface BidForWarning {
  id: string;
  asset_id: string;
  market: string;
  delivery_date: string;
  gate_closure: Date;
  status: string;
}

export class AlertsRepository {
  constructor(private readonly database: Database) {}

  /** Draft bids of these organisations whose gate closes after `after` (gate-closure warnings to schedule). */
  async openDrafts(organizationIds: string[], after: Date): Promise<{ id: string; organization_id: string }[]> {
    return this.database.query(`SELECT id, organization_id FROM bids WHERE status = 'draft' AND gate_closure > $1 AND organization_id = ANY($2::uuid[])`, [after, organizationIds]);
  }

  /** What a gate-closure warning says about one bid of an organisation. */
  async bidForWarning(organizationId: string, bidId: string): Promise<BidForWarning | null> {
    const [bid] = await this.database.query<BidForWarning>(
      'SELECT id, asset_id, market, delivery_date, gate_closure, status FROM bids WHERE id = $1 AND organization_id = $2',
      [bidId, organizationId],
    );
    return bid ? { ...bid, gate_closure: new Date(bid.gate_closure) } : null;
  }

  async createRule(input: { organization_id: string; user_id: string; name: string; type: string; params: object; email: boolean; enabled: boolean }): Promise<AlertRuleRow> {
    const [row] = await this.database.query<AlertRuleRow>(
      `INSERT INTO alert_rules (organization_id, user_id, name, type, params, email, enabled)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) RETURNING *`,
      [input.organization_id, input.user_id, input.name, input.type, JSON.stringify(input.params), input.email, input.enabled],
    );
    return row!;
  }

  async listRules(organizationId: string, userId: string): Promise<AlertRuleRow[]> {
    return this.database.query<AlertRuleRow>('SELECT * FROM alert_rules WHERE organization_id = $1 AND user_id = $2 ORDER BY created_at', [organizationId, userId]);
  }

  async findRule(organizationId: string, userId: string, id: string): Promise<AlertRuleRow | null> {
    const [row] = await this.database.query<AlertRuleRow>('SELECT * FROM alert_rules WHERE organization_id = $1 AND user_id = $2 AND id = $3', [
      organizationId,
      userId,
      id,
    ]);
    return row ?? null;
  }

  async updateRule(id: string, patch: { name?: string; params?: object; email?: boolean; enabled?: boolean }): Promise<AlertRuleRow | null> {
    const [row] = await this.database.query<AlertRuleRow>(
      `UPDATE alert_rules SET name = COALESCE($2, name), params = COALESCE($3::jsonb, params), email = COALESCE($4, email),
              enabled = COALESCE($5, enabled), updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, patch.name ?? null, patch.params ? JSON.stringify(patch.params) : null, patch.email ?? null, patch.enabled ?? null],
    );
    return row ?? null;
  }

  async deleteRule(id: string): Promise<boolean> {
    return (await this.database.query('DELETE FROM alert_rules WHERE id = $1 RETURNING id', [id])).length === 1;
  }

  /** Enabled rules of active members, for the evaluator's in-memory index. */
  async listEnabledRules(): Promise<AlertRuleRow[]> {
    return this.database.query<AlertRuleRow>(
      `SELECT r.* FROM alert_rules r
       JOIN memberships m ON m.organization_id = r.organization_id AND m.user_id = r.user_id AND m.is_active
       JOIN users u ON u.id = r.user_id AND u.is_active
       WHERE r.enabled`,
    );
  }

  async findEnabledRule(id: string): Promise<AlertRuleRow | null> {
    const [row] = await this.database.query<AlertRuleRow>('SELECT * FROM alert_rules WHERE id = $1 AND enabled', [id]);
    return row ?? null;
  }

  /** Inserts a notification once per (user, occurrence); null when it already exists. */
  async insertNotification(input: NotificationInput): Promise<NotificationRow | null> {
    return insertNotificationOn(this.database, input);
  }

  /** Takes the sending of one notification; false when another handler or instance took it already. */
  async claimSend(id: string): Promise<boolean> {
    return (await this.database.query('UPDATE notifications SET sent_at = now() WHERE id = $1 AND sent_at IS NULL RETURNING id', [id])).length === 1;
  }

  /**
   * Takes the sending of rule notifications stored before `before` and never sent (their
   * instance died between storing and sending), oldest first, with their rules.
   */
  async claimUnsent(before: Date, limit: number): Promise<{ rule: AlertRuleRow; notification: NotificationRow }[]> {
    const rows = await this.database.query<NotificationRow>(
      `UPDATE notifications SET sent_at = now() WHERE id IN (
         SELECT id FROM notifications WHERE sent_at IS NULL AND created_at < $1 AND rule_id IS NOT NULL
         ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [before, limit],
    );
    if (rows.length === 0) return [];
    const rules = await this.database.query<AlertRuleRow>('SELECT * FROM alert_rules WHERE id = ANY($1::uuid[])', [[...new Set(rows.map((r) => r.rule_id))]]);
    const byId = new Map(rules.map((r) => [r.id, r]));
    return rows.flatMap((notification) => {
      const rule = byId.get(notification.rule_id!);
      return rule ? [{ rule, notification }] : [];
    });
  }

  async markEmailed(id: string, at: Date): Promise<void> {
    await this.database.query('UPDATE notifications SET emailed_at = $2 WHERE id = $1', [id, at]);
  }

  async listNotifications(organizationId: string, userId: string, opts: { unread?: boolean; before?: Date; limit: number }): Promise<NotificationRow[]> {
    return this.database.query<NotificationRow>(
      `SELECT * FROM notifications WHERE organization_id = $1 AND user_id = $2
         AND ($3::boolean IS NOT TRUE OR read_at IS NULL) AND ($4::timestamptz IS NULL OR created_at < $4)
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [organizationId, userId, opts.unread ?? null, opts.before ?? null, opts.limit],
    );
  }

  async countUnread(organizationId: string, userId: string): Promise<number> {
    const [row] = await this.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM notifications WHERE organization_id = $1 AND user_id = $2 AND read_at IS NULL',
      [organizationId, userId],
    );
    return Number(row?.n ?? 0);
  }

  async markRead(organizationId: string, userId: string, ids: string[] | 'all', at: Date): Promise<number> {
    const rows =
      ids === 'all'
        ? await this.database.query('UPDATE notifications SET read_at = $3 WHERE organization_id = $1 AND user_id = $2 AND read_at IS NULL RETURNING id', [
            organizationId,
            userId,
            at,
          ])
        : await this.database.query(
            'UPDATE notifications SET read_at = $3 WHERE organization_id = $1 AND user_id = $2 AND read_at IS NULL AND id = ANY($4::uuid[]) RETURNING id',
            [organizationId, userId, at, ids],
          );
    return rows.length;
  }

  async countSince(since: Date): Promise<number> {
    const [row] = await this.database.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications WHERE created_at >= $1', [since]);
    return Number(row?.n ?? 0);
  }
}
