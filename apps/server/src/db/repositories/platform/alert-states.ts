/**
 * The alert evaluator's per-rule state (table alert_rule_states), read and
 * written under a row lock in the transaction that also inserts the
 * notifications the evaluation raised: instances sharing the evaluator's
 * consumer group take turns on a rule, and a state and its notification commit
 * together or not at all.
 */
import type { Database } from '../../client.js';
import { insertNotificationOn, type AlertRuleRow, type NotificationInput, type NotificationRow } from './alerts.js';

/** Per run, the newest event applied: [interval_start epoch ms, message timestamp epoch ms]. */
export type AppliedMarks = Record<string, [number, number]>;

export interface LockedRuleState {
  /** The rule as it is now (params, enabled), read in the same transaction. */
  rule: AlertRuleRow;
  /** Whether `state` and `applied` were computed for the rule as it is now (false after an edit). */
  current: boolean;
  state: unknown;
  applied: AppliedMarks;
}

export interface RuleStep {
  state: unknown;
  applied: AppliedMarks;
  notifications: Omit<NotificationInput, 'organization_id' | 'user_id' | 'rule_id'>[];
}

const LOCK_SQL = `
  SELECT s.rule_updated_at = r.updated_at AS s_current, s.state AS s_state, s.applied AS s_applied, r.*
  FROM alert_rule_states s
  JOIN alert_rules r ON r.id = s.rule_id AND r.enabled
  JOIN memberships m ON m.organization_id = r.organization_id AND m.user_id = r.user_id AND m.is_active
  JOIN users u ON u.id = r.user_id AND u.is_active
  WHERE s.rule_id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR r.organization_id = $2)
  ORDER BY s.rule_id
  FOR UPDATE OF s`;

type LockedRow = AlertRuleRow & { s_current: boolean; s_state: unknown; s_applied: AppliedMarks | null };

export class AlertStatesRepository {
  constructor(private readonly database: Database) {}

  /**
   * Locks the state of each enabled rule of `ruleIds` (of an active member; of
   * `organizationId` when given), calls `step` on each, stores what it returns
   * and inserts its notifications once per (user, occurrence), all in one
   * transaction. Resolves to the notifications inserted, with their rules.
   * `step` must be synchronous and free of I/O: it runs while the rows are locked.
   */
  async evaluate(ruleIds: string[], organizationId: string | null, step: (locked: LockedRuleState) => RuleStep | null): Promise<{ rule: AlertRuleRow; notification: NotificationRow }[]> {
    if (ruleIds.length === 0) return [];
    const ids = [...new Set(ruleIds)].sort();
    return this.database.transaction(async (tx) => {
      // The row to lock must exist; sorted, so two transactions creating rows never wait on each other crosswise.
      await tx.query(
        `INSERT INTO alert_rule_states (rule_id, rule_updated_at)
         SELECT id, updated_at FROM alert_rules WHERE id = ANY($1::uuid[]) ORDER BY id
         ON CONFLICT (rule_id) DO NOTHING`,
        [ids],
      );
      const rows = await tx.query<LockedRow>(LOCK_SQL, [ids, organizationId]);
      const inserted: { rule: AlertRuleRow; notification: NotificationRow }[] = [];
      for (const row of rows) {
        const { s_current, s_state, s_applied, ...rule } = row;
        const next = step({ rule, current: s_current, state: s_state, applied: s_applied ?? {} });
        if (!next) continue;
        await tx.query(`UPDATE alert_rule_states SET rule_updated_at = r.updated_at, state = $2::jsonb, applied = $3::jsonb, updated_at = now()
           FROM alert_rules r WHERE rule_id = $1 AND r.id = rule_id`, [
          rule.id,
          next.state === null || next.state === undefined ? null : JSON.stringify(next.state),
          JSON.stringify(next.applied),
        ]);
        for (const n of next.notifications) {
          const notification = await insertNotificationOn(tx, { ...n, organization_id: rule.organization_id, user_id: rule.user_id, rule_id: rule.id });
          if (notification) inserted.push({ rule, notification });
        }
      }
      return inserted;
    });
  }

  /** The stored state of one rule (tests and the admin console). */
  async find(ruleId: string): Promise<{ state: unknown; applied: AppliedMarks; rule_updated_at: Date } | null> {
    const [row] = await this.database.query<{ state: unknown; applied: AppliedMarks; rule_updated_at: Date }>(
      'SELECT state, applied, rule_updated_at FROM alert_rule_states WHERE rule_id = $1',
      [ruleId],
    );
    return row ? { ...row, rule_updated_at: new Date(row.rule_updated_at) } : null;
  }
}
