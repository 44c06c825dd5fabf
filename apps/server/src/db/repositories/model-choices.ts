/** SQL of the default-forecaster choices per location (modules/forecasting/model-choice.ts). */
import type { Database } from '../client.js';
import { sqlRunner, toDate, type SqlRunner } from './trading/sql.js';

export interface ModelChoiceScore {
  spec: string;
  mae_usd_per_mwh: number;
  rmae: number | null;
  seconds: number;
}

export interface ModelChoiceRow {
  market: string;
  location: string;
  scope_key: string;
  spec: string;
  note: string;
  scores: ModelChoiceScore[];
  history_days: number;
  evaluated_from: string | null;
  evaluated_through: string | null;
  chosen_at: Date;
}

const ymd = (v: unknown): string | null => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

export class ModelChoiceRepository {
  private readonly sql: SqlRunner;
  constructor(database: Database) {
    this.sql = sqlRunner(database);
  }

  async find(market: string, location: string, scopeKey: string): Promise<ModelChoiceRow | null> {
    const rows = await this.sql.query<Record<string, unknown>>(`SELECT market, location, scope_key, spec, note, scores, history_days, evaluated_from::text AS evaluated_from, evaluated_through::text AS evaluated_through, chosen_at
       FROM forecast_model_choices WHERE market = $1 AND location = $2 AND scope_key = $3`, [market, location, scopeKey]);
    const r = rows[0];
    if (!r) return null;
    return {
      market: String(r.market),
      location: String(r.location),
      scope_key: String(r.scope_key),
      spec: String(r.spec),
      note: String(r.note),
      scores: (typeof r.scores === 'string' ? JSON.parse(r.scores) : r.scores) as ModelChoiceScore[],
      history_days: Number(r.history_days),
      evaluated_from: ymd(r.evaluated_from),
      evaluated_through: ymd(r.evaluated_through),
      chosen_at: toDate(r.chosen_at),
    };
  }

  async save(row: Omit<ModelChoiceRow, 'chosen_at'>): Promise<void> {
    await this.sql.query(
      `INSERT INTO forecast_model_choices (market, location, scope_key, spec, note, scores, history_days, evaluated_from, evaluated_through, chosen_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, now())
       ON CONFLICT (market, location, scope_key) DO UPDATE SET spec = EXCLUDED.spec, note = EXCLUDED.note, scores = EXCLUDED.scores,
         history_days = EXCLUDED.history_days, evaluated_from = EXCLUDED.evaluated_from, evaluated_through = EXCLUDED.evaluated_through, chosen_at = now()`,
      [row.market, row.location, row.scope_key, row.spec, row.note, JSON.stringify(row.scores), row.history_days, row.evaluated_from, row.evaluated_through],
    );
  }
}
