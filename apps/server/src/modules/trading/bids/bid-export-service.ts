/**
 * An organisation's day-ahead offers for one delivery day in the ISO's own submission
 * format. ERCOT only (EWS BidSet XML, core `buildErcotEwsBidSets`): the other ISOs'
 * submission schemas are not implemented (see the README). Only submitted and accepted
 * bids are exported: a draft is not an offer, and a cancelled or rejected one is withdrawn.
 */
import { buildErcotEwsBidSets, ercotEwsFormFor, ercotResourceNamesOf, type ErcotEwsExport, type ErcotEwsTransaction, type ErcotResourceOffers } from '@optibid/core';
import { notFound, validationFailed } from '../../../http/errors.js';
import type { TradingDeps } from '../common.js';

export const EXPORTED_BID_STATUSES = ['submitted', 'accepted'] as const;

export interface ExportedResource {
  asset_id: string;
  bid_id: string;
  resource: string;
  load_resource: string | null;
  /** True when a name was derived from the asset name (the battery has no resource_name / load_resource_name). */
  derived_name: boolean;
}

export interface BidExport extends ErcotEwsExport {
  market: 'ERCOT';
  resources: ExportedResource[];
  /** Bids left out, with the reason (assets other than batteries). */
  skipped: { bid_id: string; asset_id: string; reason: string }[];
}

export class BidExportService {
  constructor(private readonly d: TradingDeps) {}

  /** 404 when the organisation has no submitted/accepted DA bid that day; 422 for a market without an export format or offers ERCOT would reject. */
  async export(organizationId: string, market: string, deliveryDate: string): Promise<BidExport> {
    const m = this.d.markets.market(market);
    if (m.iso !== 'ERCOT') throw validationFailed(`offer export is implemented for ERCOT only (EWS BidSet); ${m.iso}'s submission format is not`);
    const { items: bids } = await this.d.repos.bids.list({
      organization_id: organizationId,
      status: [...EXPORTED_BID_STATUSES],
      market: m.iso,
      run: 'DA',
      from: deliveryDate,
      to: deliveryDate,
      limit: 500,
      offset: 0,
    });
    if (bids.length === 0) throw notFound(`submitted or accepted ${m.iso} day-ahead bids for ${deliveryDate}`);
    const assets = new Map((await this.d.repos.assets.getMany(organizationId, [...new Set(bids.map((b) => b.asset_id))])).map((a) => [a.id, a]));
    const resources: ErcotResourceOffers[] = [];
    const named: ExportedResource[] = [];
    const skipped: BidExport['skipped'] = [];
    const separateLoad = ercotEwsFormFor(deliveryDate) === 'generation_and_load_resource';
    for (const b of bids) {
      const asset = assets.get(b.asset_id);
      if (!asset || asset.type !== 'battery') {
        skipped.push({ bid_id: b.id, asset_id: b.asset_id, reason: `only batteries are exported (this asset is ${asset?.type ?? 'missing'})` });
        continue;
      }
      const names = ercotResourceNamesOf({ name: asset.name, params: asset.params as Record<string, unknown> });
      resources.push({
        asset_id: asset.id,
        resource: names.resource,
        ...(separateLoad ? { load_resource: names.load_resource, settlement_point: asset.location } : {}),
        curves: b.curves,
        ...(b.as_offers ? { as_offers: b.as_offers } : {}),
      });
      named.push({ asset_id: asset.id, bid_id: b.id, resource: names.resource, load_resource: separateLoad ? names.load_resource : null, derived_name: names.derived || (separateLoad && names.load_derived) });
    }
    if (resources.length === 0) throw notFound(`battery day-ahead bids to export for ${m.iso} ${deliveryDate} (${skipped.length} other bid${skipped.length === 1 ? '' : 's'} skipped)`);
    const out = buildErcotEwsBidSets({ delivery_date: deliveryDate, resources });
    const errors = out.issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) throw validationFailed(`the offers cannot be written as ERCOT EWS BidSets: ${errors.map((i) => i.message).join('; ')}`, errors);
    return { market: 'ERCOT', ...out, resources: named, skipped };
  }

  /** One transaction type's document; 404 when the day has none of that type. */
  async document(organizationId: string, market: string, deliveryDate: string, transaction: ErcotEwsTransaction): Promise<string> {
    const out = await this.export(organizationId, market, deliveryDate);
    const doc = out.documents.find((d) => d.transaction === transaction);
    if (!doc) throw notFound(`${transaction} document for ${deliveryDate} (this day has: ${out.documents.map((d) => d.transaction).join(', ')})`);
    return doc.xml;
  }
}
