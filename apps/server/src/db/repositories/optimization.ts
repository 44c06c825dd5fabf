/** Optimisation runs and backtests, scoped by organisation. */
import type { Database } from '../client.js';

export interface OptimizationRunRow {
  id: string;
  organization_id: string;
  asset_id: string;
  run: string;
  delivery_date: string;
  request: Record<string, unknown>;
  result: Record<string, unknown>;
  created_by: string | null;
  created_at: Date;
}

export interface BacktestRow {
  id: string;
  organization_id: string;
  name: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  config: Record<string, unknown>;
  progress_done: number;
  progress_total: number;
  result: Record<string, unknown> | null;
  error: string | null;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const ymd = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));

export class OptimizationRepository {
  constructor(private readonly database: Database) {}

  async insertRun(r: Omit<OptimizationRunRow, 'id' | 'created_at'>): Promise<OptimizationRunRow> {
    const [row] = await this.database.query<OptimizationRunRow>(
      `INSERT INTO optimization_runs (organization_id, asset_id, run, delivery_date, request, result, created_by)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7) RETURNING *`,
      [r.organization_id, r.asset_id, r.run, r.delivery_date, JSON.stringify(r.request), JSON.stringify(r.result), r.created_by],
    );
    return { ...row!, delivery_date: ymd(row!.delivery_date) };
  }

  async findRun(organizationId: string, id: string): Promise<OptimizationRunRow | null> {
    const [row] = await this.database.query<OptimizationRunRow>('SELECT * FROM optimization_runs WHERE organization_id = $1 AND id = $2', [organizationId, id]);
    return row ? { ...row, delivery_date: ymd(row.delivery_date) } : null;
  }

  async insertBacktest(b: { organization_id: string; name: string; config: unknown; created_by: string | null }): Promise<BacktestRow> {
    const [row] = await this.database.query<BacktestRow>(
      `INSERT INTO backtests (organization_id, name, status, config, created_by) VALUES ($1, $2, 'queued', $3::jsonb, $4) RETURNING *`,
      [b.organization_id, b.name, JSON.stringify(b.config), b.created_by],
    );
    return row!;
  }

  async updateBacktest(id: string, patch: Partial<Pick<BacktestRow, 'status' | 'progress_done' | 'progress_total' | 'result' | 'error' | 'started_at' | 'finished_at'>>): Promise<void> {
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    if (keys.length === 0) return;
    const sets = keys.map((k, i) => `${k} = $${i + 2}${k === 'result' ? '::jsonb' : ''}`);
    const values = keys.map((k) => (k === 'result' ? JSON.stringify(patch[k]) : patch[k]));
    await this.database.query(`UPDATE backtests SET ${sets.join(', ')} WHERE id = $1`, [id, ...values]);
  }

  async findBacktest(organizationId: string, id: string): Promise<BacktestRow | null> {
    const [row] = await this.database.query<BacktestRow>('SELECT * FROM backtests WHERE organization_id = $1 AND id = $2', [organizationId, id]);
    return row ?? null;
  }

  async listBacktests(organizationId: string, limit: number): Promise<BacktestRow[]> {
    // The list leaves out the daily series; the detail has it.
    return this.database.query<BacktestRow>(
      `SELECT id, organization_id, name, status, config, progress_done, progress_total,
              CASE WHEN result IS NULL THEN NULL ELSE result - 'daily' END AS result,
              error, created_by, created_at, started_at, finished_at
       FROM backtests WHERE organization_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [organizationId, limit],
    );
  }

  async countBacktestsSince(organizationId: string, since: Date): Promise<number> {
    const [row] = await this.database.query<{ n: number }>('SELECT count(*)::int AS n FROM backtests WHERE organization_id = $1 AND created_at >= $2', [organizationId, since]);
    return Number(row?.n ?? 0);
  }
}
