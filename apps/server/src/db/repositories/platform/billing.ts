/** Plans, subscriptions and usage per UTC day. */
import type { Database, Queryable } from '../../client.js';

export interface PlanRow {
  id: string;
  name: string;
  price_usd_per_month: number;
  limits: Record<string, number | null>;
  sort_order: number;
}

export interface SubscriptionRow {
  organization_id: string;
  organization_name: string;
  is_demo: boolean;
  /** null when the organisation has no row (it is on the default plan). */
  plan_id: string | null;
  status: string | null;
  limit_overrides: Record<string, number | null>;
  started_at: Date;
}

export class BillingRepository {
  constructor(private readonly database: Database) {}

  async listPlans(): Promise<PlanRow[]> {
    return this.database.query<PlanRow>('SELECT id, name, price_usd_per_month, limits, sort_order FROM plans ORDER BY sort_order, id');
  }

  async findPlan(id: string): Promise<PlanRow | null> {
    const [row] = await this.database.query<PlanRow>('SELECT id, name, price_usd_per_month, limits, sort_order FROM plans WHERE id = $1', [id]);
    return row ?? null;
  }

  async updatePlan(id: string, patch: { name?: string; price_usd_per_month?: number; limits?: Record<string, number | null> }, tx: Queryable = this.database): Promise<PlanRow | null> {
    const [row] = await tx.query<PlanRow>(
      `UPDATE plans SET name = COALESCE($2, name), price_usd_per_month = COALESCE($3, price_usd_per_month),
              limits = limits || COALESCE($4::jsonb, '{}'::jsonb), updated_at = now()
       WHERE id = $1 RETURNING id, name, price_usd_per_month, limits, sort_order`,
      [id, patch.name ?? null, patch.price_usd_per_month ?? null, patch.limits ? JSON.stringify(patch.limits) : null],
    );
    return row ?? null;
  }

  /** The organisation's subscription, or its organisation row with a null plan when it has none. */
  async findSubscription(organizationId: string): Promise<SubscriptionRow | null> {
    const [row] = await this.database.query<SubscriptionRow>(
      `SELECT o.id AS organization_id, o.name AS organization_name, o.is_demo, s.plan_id, s.status,
              COALESCE(s.limit_overrides, '{}'::jsonb) AS limit_overrides, COALESCE(s.started_at, o.created_at) AS started_at
       FROM organizations o LEFT JOIN subscriptions s ON s.organization_id = o.id WHERE o.id = $1`,
      [organizationId],
    );
    return row ?? null;
  }

  async listSubscriptions(limit: number, offset: number): Promise<SubscriptionRow[]> {
    return this.database.query<SubscriptionRow>(
      `SELECT o.id AS organization_id, o.name AS organization_name, o.is_demo, s.plan_id, s.status,
              COALESCE(s.limit_overrides, '{}'::jsonb) AS limit_overrides, COALESCE(s.started_at, o.created_at) AS started_at
       FROM organizations o LEFT JOIN subscriptions s ON s.organization_id = o.id
       ORDER BY o.created_at, o.id LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
  }

  async putSubscription(organizationId: string, planId: string, overrides: Record<string, number | null> | undefined, at: Date, tx: Queryable = this.database): Promise<void> {
    await tx.query(
      `INSERT INTO subscriptions (organization_id, plan_id, limit_overrides, started_at, updated_at)
       VALUES ($1, $2, COALESCE($3::jsonb, '{}'::jsonb), $4, $4)
       ON CONFLICT (organization_id) DO UPDATE SET
         plan_id = EXCLUDED.plan_id,
         limit_overrides = EXCLUDED.limit_overrides,
         status = 'active',
         started_at = CASE WHEN subscriptions.plan_id = EXCLUDED.plan_id THEN subscriptions.started_at ELSE EXCLUDED.started_at END,
         updated_at = EXCLUDED.updated_at`,
      [organizationId, planId, overrides ? JSON.stringify(overrides) : null, at],
    );
  }

  async addUsage(organizationId: string, day: string, metric: string, n: number): Promise<void> {
    await this.database.query(
      `INSERT INTO usage_daily (organization_id, day, metric, count) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, day, metric) DO UPDATE SET count = usage_daily.count + EXCLUDED.count`,
      [organizationId, day, metric, n],
    );
  }

  async usageOn(organizationId: string, day: string): Promise<Record<string, number>> {
    const rows = await this.database.query<{ metric: string; count: number }>('SELECT metric, count FROM usage_daily WHERE organization_id = $1 AND day = $2', [
      organizationId,
      day,
    ]);
    return Object.fromEntries(rows.map((r) => [r.metric, Number(r.count)]));
  }

  async usageBetween(organizationId: string, fromDay: string, toDay: string): Promise<{ day: string; metric: string; count: number }[]> {
    const rows = await this.database.query<{ day: string; metric: string; count: number }>(
      'SELECT day, metric, count FROM usage_daily WHERE organization_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, metric',
      [organizationId, fromDay, toDay],
    );
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  async totalUsageOn(day: string, metric: string): Promise<number> {
    const [row] = await this.database.query<{ n: number }>('SELECT COALESCE(sum(count), 0)::bigint AS n FROM usage_daily WHERE day = $1 AND metric = $2', [day, metric]);
    return Number(row?.n ?? 0);
  }
}
