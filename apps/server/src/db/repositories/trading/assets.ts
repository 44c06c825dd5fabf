/** Assets of an organisation. Every query is scoped by organization_id. */
import type { AssetType } from '@optibid/core';
import { toDate, toJson, type Sql } from './sql.js';

export interface AssetRow {
  id: string;
  organization_id: string;
  name: string;
  type: AssetType;
  market: string;
  location: string;
  params: Record<string, unknown>;
  active: boolean;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface AssetFilter {
  organization_id: string;
  type?: string;
  market?: string;
  location?: string;
  active?: boolean;
  limit: number;
  offset: number;
}

const COLS = 'id, organization_id, name, type, market, location, params, active, created_by, created_at, updated_at';

function mapAsset(r: Record<string, unknown>): AssetRow {
  return {
    ...(r as unknown as AssetRow),
    params: toJson(r.params),
    created_at: toDate(r.created_at),
    updated_at: toDate(r.updated_at),
  };
}

export class AssetsRepository {
  constructor(private readonly db: Sql) {}

  async create(a: Omit<AssetRow, 'id' | 'active' | 'created_at' | 'updated_at'>): Promise<AssetRow> {
    const [row] = await this.db.query(
      `INSERT INTO assets (organization_id, name, type, market, location, params, created_by)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING ${COLS}`,
      [a.organization_id, a.name, a.type, a.market, a.location, JSON.stringify(a.params), a.created_by],
    );
    return mapAsset(row!);
  }

  async get(organizationId: string, id: string, db: Sql = this.db): Promise<AssetRow | null> {
    const [row] = await db.query(`SELECT ${COLS} FROM assets WHERE organization_id = $1 AND id = $2`, [organizationId, id]);
    return row ? mapAsset(row) : null;
  }

  /** Assets of several ids in one organisation (clearing and settlement read them in bulk). */
  async getMany(organizationId: string, ids: string[]): Promise<AssetRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query(`SELECT ${COLS} FROM assets WHERE organization_id = $1 AND id = ANY($2::uuid[])`, [organizationId, ids]);
    return rows.map(mapAsset);
  }

  async list(f: AssetFilter): Promise<{ items: AssetRow[]; total: number }> {
    const where = ['organization_id = $1'];
    const params: unknown[] = [f.organization_id];
    const add = (cond: string, v: unknown) => {
      params.push(v);
      where.push(cond.replace('?', `$${params.length}`));
    };
    if (f.type) add('type = ?', f.type);
    if (f.market) add('market = ?', f.market);
    if (f.location) add('location = ?', f.location);
    if (f.active !== undefined) add('active = ?', f.active);
    const w = where.join(' AND ');
    const [count] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM assets WHERE ${w}`, params);
    const rows = await this.db.query(
      `SELECT ${COLS} FROM assets WHERE ${w} ORDER BY created_at, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.limit, f.offset],
    );
    return { items: rows.map(mapAsset), total: Number(count?.n ?? 0) };
  }

  async update(
    organizationId: string,
    id: string,
    patch: Partial<Pick<AssetRow, 'name' | 'location' | 'params' | 'active'>>,
  ): Promise<AssetRow | null> {
    const [row] = await this.db.query(
      `UPDATE assets SET
         name = COALESCE($3, name),
         location = COALESCE($4, location),
         params = COALESCE($5::jsonb, params),
         active = COALESCE($6, active),
         updated_at = now()
       WHERE organization_id = $1 AND id = $2 RETURNING ${COLS}`,
      [organizationId, id, patch.name ?? null, patch.location ?? null, patch.params ? JSON.stringify(patch.params) : null, patch.active ?? null],
    );
    return row ? mapAsset(row) : null;
  }

  /** Deletes an asset with no bids; returns false when it has some (the service deactivates it instead). */
  async deleteIfUnused(organizationId: string, id: string): Promise<'deleted' | 'in_use' | 'not_found'> {
    const [used] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bids WHERE organization_id = $1 AND asset_id = $2`, [organizationId, id]);
    if (Number(used?.n ?? 0) > 0) return 'in_use';
    const rows = await this.db.query(`DELETE FROM assets WHERE organization_id = $1 AND id = $2 RETURNING id`, [organizationId, id]);
    return rows.length > 0 ? 'deleted' : 'not_found';
  }
}
