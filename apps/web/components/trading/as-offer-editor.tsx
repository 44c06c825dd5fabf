'use client';
/**
 * A battery's ancillary-service offers beside its energy curve: one row per hour, one MW and
 * one $/MW cell per product of the market on the delivery day, checked as the trader types
 * by core's `validateAncillaryOffers` (the server runs the same on save and submit).
 */
import type { AssetView } from '@optibid/contracts';
import {
  ancillaryAssetLimits,
  ancillaryProductsOn,
  getAncillaryMarket,
  validateAncillaryOffers,
  type AncillaryOffer,
  type AsOfferIssue,
  type AssetSpec,
  type BidSegment,
  type IsoId,
} from '@optibid/core/rules';
import { hourEnding } from '@/lib/time';

/** Cells as typed: product → {mw, price} per hour. */
export type AsOfferText = Record<string, { mw: string; price: string }>[];

export function asToText(offers: AncillaryOffer[][] | null | undefined, periods: number): AsOfferText {
  return Array.from({ length: periods }, (_, h) => Object.fromEntries((offers?.[h] ?? []).map((o) => [o.product, { mw: String(o.mw), price: String(o.price_usd_per_mw) }])));
}

/** Offers with an MW cell filled; empty cells are no offer. Null when nothing is offered in any hour. */
export function asFromText(text: AsOfferText): AncillaryOffer[][] | null {
  const out = text.map((row) =>
    Object.entries(row)
      .filter(([, c]) => c.mw.trim() !== '' && Number(c.mw) !== 0)
      .map(([product, c]) => ({ product, mw: Number(c.mw), price_usd_per_mw: c.price.trim() === '' ? 0 : Number(c.price) })),
  );
  return out.some((l) => l.length > 0) ? out : null;
}

export function checkAsOffers(iso: string, deliveryDate: string, asset: AssetView, curves: BidSegment[][], offers: AncillaryOffer[][] | null): AsOfferIssue[] {
  if (!offers) return [];
  const rules = getAncillaryMarket(iso as IsoId);
  if (!rules) return [];
  return validateAncillaryOffers({ iso: iso as IsoId, run: 'DA', delivery_date: deliveryDate, curves, as_offers: offers }, { rules, asset: ancillaryAssetLimits({ type: asset.type, params: asset.params } as AssetSpec) });
}

export function marketHasAs(iso: string, deliveryDate: string): boolean {
  return !!getAncillaryMarket(iso as IsoId) && ancillaryProductsOn(iso as IsoId, deliveryDate).length > 0;
}

export function AsOfferEditor(props: { iso: string; deliveryDate: string; timezone: string; text: AsOfferText; onChange?: (t: AsOfferText) => void; issues: AsOfferIssue[] }) {
  const products = ancillaryProductsOn(props.iso as IsoId, props.deliveryDate);
  const set = (h: number, product: string, field: 'mw' | 'price', v: string) => {
    if (!props.onChange) return;
    const next = props.text.map((row, i) => (i === h ? { ...row, [product]: { mw: row[product]?.mw ?? '', price: row[product]?.price ?? '0', [field]: v } } : row));
    props.onChange(next);
  };
  const hourIssues = (h: number) => props.issues.filter((i) => i.period === h);
  const general = props.issues.filter((i) => i.period === undefined);
  return (
    <div data-testid="as-offers" className="stack">
      <div className="muted" style={{ fontSize: '0.85rem' }}>
        Ancillary-service capacity offers, MW and $/MW per hour ({products.map((p) => p.id).join(', ')}). Energy offered + up capacity must fit the discharge rating, charge + down capacity the charge rating.
      </div>
      {general.map((i, k) => (
        <div key={k} className="ui-error" data-testid="as-issue">{i.message}</div>
      ))}
      <div style={{ overflowX: 'auto', maxHeight: 360 }}>
        <table className="ui-table" style={{ fontSize: '0.85rem' }}>
          <thead>
            <tr>
              <th>Hour</th>
              {products.map((p) => (
                <th key={p.id} title={p.name}>
                  {p.id} MW / $
                </th>
              ))}
              <th>Issues</th>
            </tr>
          </thead>
          <tbody>
            {props.text.map((row, h) => (
              <tr key={h} data-testid={`as-row-${h}`} style={hourIssues(h).length ? { background: 'var(--danger-bg, #fde8e8)' } : undefined}>
                <td>{hourEnding(h)}</td>
                {products.map((p) => (
                  <td key={p.id} style={{ whiteSpace: 'nowrap' }}>
                    <input aria-label={`${p.id} MW hour ${h}`} data-testid={`as-mw-${h}-${p.id}`} size={4} value={row[p.id]?.mw ?? ''} readOnly={!props.onChange} onChange={(e) => set(h, p.id, 'mw', e.target.value)} />{' '}
                    <input aria-label={`${p.id} price hour ${h}`} size={4} value={row[p.id]?.price ?? ''} readOnly={!props.onChange} onChange={(e) => set(h, p.id, 'price', e.target.value)} />
                  </td>
                ))}
                <td data-testid={`as-issues-${h}`} style={{ fontSize: '0.8rem' }}>{hourIssues(h).map((i) => i.message).join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
