/** Assets: a market and a catalogue location, parameters validated by core. */
import { normalizeAssetParams, type AssetType } from '@optibid/core';
import type { AssetCreateBody, AssetPatchBody, AssetView } from '@optibid/contracts';
import type { AssetRow } from '../../../db/repositories/trading/index.js';
import { notFound, validationFailed } from '../../../http/errors.js';
import { assetView, type Actor, type TradingDeps } from '../common.js';

function checkedParams(type: string, params: unknown): Record<string, unknown> {
  const r = normalizeAssetParams(type as AssetType, params);
  if (!r.ok) {
    const list = r.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    throw validationFailed(`asset parameters are invalid (${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}): ${list}`, r.issues);
  }
  return r.params as unknown as Record<string, unknown>;
}

export class AssetService {
  constructor(private readonly d: TradingDeps) {}

  async require(organizationId: string, id: string): Promise<AssetRow> {
    const a = await this.d.repos.assets.get(organizationId, id);
    if (!a) throw notFound(`asset ${id}`);
    return a;
  }

  async create(actor: Actor, body: AssetCreateBody): Promise<AssetView> {
    const m = this.d.markets.market(body.market);
    const location = await this.d.markets.location(m, body.location);
    const params = checkedParams(body.type, body.params);
    await this.d.quotas.check(actor.organization_id, 'assets');
    const a = await this.d.repos.assets.create({
      organization_id: actor.organization_id,
      name: body.name.trim(),
      type: body.type as AssetType,
      market: m.iso,
      location,
      params,
      created_by: actor.user_id,
    });
    await this.audit(actor, 'asset.create', a.id, { name: a.name, type: a.type, market: a.market, location: a.location });
    return assetView(a);
  }

  async get(actor: Actor, id: string): Promise<AssetView> {
    return assetView(await this.require(actor.organization_id, id));
  }

  async list(actor: Actor, q: { type?: string; market?: string; location?: string; active?: boolean; limit?: number; offset?: number }) {
    const market = q.market ? this.d.markets.market(q.market).iso : undefined;
    const r = await this.d.repos.assets.list({
      organization_id: actor.organization_id,
      type: q.type,
      market,
      location: q.location?.toUpperCase(),
      active: q.active,
      limit: q.limit ?? 100,
      offset: q.offset ?? 0,
    });
    return { items: r.items.map(assetView), total: r.total };
  }

  async update(actor: Actor, id: string, body: AssetPatchBody): Promise<AssetView> {
    const current = await this.require(actor.organization_id, id);
    const patch: Partial<Pick<AssetRow, 'name' | 'location' | 'params' | 'active'>> = {};
    if (body.name !== undefined) patch.name = body.name.trim();
    if (body.location !== undefined) patch.location = await this.d.markets.location(this.d.markets.market(current.market), body.location);
    if (body.params !== undefined) patch.params = checkedParams(current.type, body.params);
    if (body.active !== undefined) patch.active = body.active;
    const a = await this.d.repos.assets.update(actor.organization_id, id, patch);
    if (!a) throw notFound(`asset ${id}`);
    await this.audit(actor, 'asset.update', id, { fields: Object.keys(patch) });
    return assetView(a);
  }

  /** Deletes an asset that never bid; one with bids is deactivated instead (its history stays). */
  async remove(actor: Actor, id: string): Promise<{ deleted: true } | { deleted: false; asset: AssetView }> {
    const outcome = await this.d.repos.assets.deleteIfUnused(actor.organization_id, id);
    if (outcome === 'not_found') throw notFound(`asset ${id}`);
    if (outcome === 'deleted') {
      await this.audit(actor, 'asset.delete', id, {});
      return { deleted: true };
    }
    const a = await this.d.repos.assets.update(actor.organization_id, id, { active: false });
    await this.audit(actor, 'asset.deactivate', id, { reason: 'the asset has bids' });
    return { deleted: false, asset: assetView(a!) };
  }

  async recordTelemetry(actor: Actor, id: string, points: { interval_start: string; delivered_mw: number }[]): Promise<{ stored: number }> {
    await this.require(actor.organization_id, id);
    const stored = await this.d.repos.clearing.upsertTelemetry(
      actor.organization_id,
      id,
      points.map((p) => ({ interval_start: new Date(p.interval_start), delivered_mw: p.delivered_mw })),
    );
    return { stored };
  }

  private async audit(actor: Actor, action: string, id: string, details: Record<string, unknown>) {
    await this.d.ctx.repos.audit.record({ organization_id: actor.organization_id, actor_user_id: actor.user_id, action, target_type: 'asset', target_id: id, details });
  }
}
