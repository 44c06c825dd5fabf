'use client';
import { useEffect, useId } from 'react';
import type { PriceScope } from '@optibid/contracts';
import { useOwnSeries } from '@/lib/market-queries';

export const PRICE_SCOPE_LABELS: Record<PriceScope, string> = {
  shared: 'Shared market',
  own: "Your organisation's imported prices",
};

/**
 * Which prices a view or a run uses: the shared market (what clearing and every
 * organisation read) or the organisation's own imported series, never the two
 * merged. Shown only when the organisation has own series (in `market`, at
 * `location` when given); without any it falls back to the shared market.
 */
export function PriceScopeToggle({ value, onChange, market, location }: { value: PriceScope; onChange: (s: PriceScope) => void; market?: string; location?: string }) {
  const name = useId();
  const own = useOwnSeries();
  const mine = (own.data ?? []).filter((s) => (!market || s.market === market) && (!location || s.location === location));
  const available = mine.length > 0;
  useEffect(() => {
    if (value === 'own' && own.data && !available) onChange('shared');
  }, [value, own.data, available, onChange]);
  if (!available) return null;
  return (
    <fieldset className="price-scope" data-testid="price-scope" style={{ border: 'none', padding: 0, margin: 0 }}>
      <legend style={{ fontWeight: 500, fontSize: '0.85rem', marginBottom: '0.25rem' }}>Prices</legend>
      <div className="row" style={{ gap: '0.35rem 1rem', flexWrap: 'wrap' }}>
        {(['shared', 'own'] as const).map((s) => (
          <label key={s} className="row" style={{ gap: '0.35rem' }}>
            <input type="radio" name={name} value={s} checked={value === s} onChange={() => onChange(s)} />
            {PRICE_SCOPE_LABELS[s]}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
