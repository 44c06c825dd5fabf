/** Feature flags and their per-organisation overrides. */
import type { Database, Queryable } from '../../client.js';

export interface FlagRow {
  key: string;
  description: string;
  enabled: boolean;
  rollout_percentage: number;
  created_at: Date;
  updated_at: Date;
}

export interface FlagOverrideRow {
  flag_key: string;
  organization_id: string;
  organization_name: string;
  enabled: boolean;
  updated_at: Date;
}

export class FlagsRepository {
  constructor(private readonly database: Database) {}

  async list(): Promise<FlagRow[]> {
    return this.database.query<FlagRow>('SELECT * FROM feature_flags ORDER BY key');
  }

  async find(key: string): Promise<FlagRow | null> {
    const [row] = await this.database.query<FlagRow>('SELECT * FROM feature_flags WHERE key = $1', [key]);
    return row ?? null;
  }

  async create(input: { key: string; description: string; enabled: boolean; rollout_percentage: number }, tx: Queryable = this.database): Promise<FlagRow | null> {
    const [row] = await tx.query<FlagRow>(
      `INSERT INTO feature_flags (key, description, enabled, rollout_percentage) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO NOTHING RETURNING *`,
      [input.key, input.description, input.enabled, input.rollout_percentage],
    );
    return row ?? null;
  }

  async update(key: string, patch: { description?: string; enabled?: boolean; rollout_percentage?: number }, tx: Queryable = this.database): Promise<FlagRow | null> {
    const [row] = await tx.query<FlagRow>(
      `UPDATE feature_flags SET description = COALESCE($2, description), enabled = COALESCE($3, enabled),
              rollout_percentage = COALESCE($4, rollout_percentage), updated_at = now()
       WHERE key = $1 RETURNING *`,
      [key, patch.description ?? null, patch.enabled ?? null, patch.rollout_percentage ?? null],
    );
    return row ?? null;
  }

  async remove(key: string, tx: Queryable = this.database): Promise<boolean> {
    return (await tx.query('DELETE FROM feature_flags WHERE key = $1 RETURNING key', [key])).length === 1;
  }

  async listOverrides(key?: string): Promise<FlagOverrideRow[]> {
    return this.database.query<FlagOverrideRow>(
      `SELECT f.flag_key, f.organization_id, o.name AS organization_name, f.enabled, f.updated_at
       FROM feature_flag_overrides f JOIN organizations o ON o.id = f.organization_id
       WHERE ($1::text IS NULL OR f.flag_key = $1) ORDER BY f.flag_key, o.name`,
      [key ?? null],
    );
  }

  async overridesFor(organizationId: string): Promise<Map<string, boolean>> {
    const rows = await this.database.query<{ flag_key: string; enabled: boolean }>(
      'SELECT flag_key, enabled FROM feature_flag_overrides WHERE organization_id = $1',
      [organizationId],
    );
    return new Map(rows.map((r) => [r.flag_key, r.enabled]));
  }

  async setOverride(key: string, organizationId: string, enabled: boolean, tx: Queryable = this.database): Promise<void> {
    await tx.query(
      `INSERT INTO feature_flag_overrides (flag_key, organization_id, enabled) VALUES ($1, $2, $3)
       ON CONFLICT (flag_key, organization_id) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()`,
      [key, organizationId, enabled],
    );
  }

  async removeOverride(key: string, organizationId: string, tx: Queryable = this.database): Promise<boolean> {
    const rows = await tx.query('DELETE FROM feature_flag_overrides WHERE flag_key = $1 AND organization_id = $2 RETURNING flag_key', [key, organizationId]);
    return rows.length === 1;
  }
}
