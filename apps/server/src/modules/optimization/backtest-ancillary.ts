/**
 * Ancillary services in the server's backtests: the request's `ancillary` option checked
 * against the stored AS prices when the backtest is created (422 when the period has none),
 * and the prices read again when the job runs, for core's co-optimised backtest
 * (`runBacktest` with `ancillary`, as-strategies.ts: AS offered price-taker, `persistence` and
 * `forecast:` plan on the previous day's AS prices, `perfect` is one LP over the period).
 * Prices are the market's stored day-ahead AS clearing prices in its system-wide zone (the
 * ISO's own, else the first stored reserve zone), as clearing and the optimiser read them.
 */
import { getAncillaryMarket, type AsModel, type BacktestConfig, type IsoId, type MarketDefinition } from '@optibid/core';
import type { BacktestAncillaryOption } from '@optibid/contracts';
import { validationFailed } from '../../http/errors.js';
import type { MarketService } from '../market-data/index.js';

/** What a backtest's stored config keeps of its AS option. */
export interface BacktestAncillaryConfig {
  as_model: AsModel;
  zone: string;
  products: string[];
}

const H = 3_600_000;
/** Stored AS prices may start or end up to a day inside the period (a missing hour is priced 0 and counted in `as_missing_intervals`). */
const EDGE_MS = 24 * H;

/** Checks the option against the stored prices of [start, end) and returns what the job needs. */
export async function backtestAncillaryConfig(markets: MarketService, m: MarketDefinition, opt: BacktestAncillaryOption, period: { start: Date; end: Date; label: string }): Promise<BacktestAncillaryConfig> {
  const catalogue = getAncillaryMarket(m.iso as IsoId).products.map((p) => p.id);
  const unknown = (opt.products ?? []).filter((p) => !catalogue.includes(p));
  if (unknown.length) {
    throw validationFailed(`ancillary.products: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not in the ${m.iso} catalogue (${catalogue.join(', ') || 'none'})`, [{ field: 'ancillary.products', message: 'unknown product' }]);
  }
  const { zone, rows } = await markets.systemAncillaryPrices(m.iso, period.start, period.end);
  const stored = new Map<string, { first: number; last: number }>();
  for (const r of rows) {
    const t = r.interval_start.getTime();
    const s = stored.get(r.product);
    stored.set(r.product, s ? { first: Math.min(s.first, t), last: Math.max(s.last, t) } : { first: t, last: t });
  }
  if (!zone || stored.size === 0) {
    throw validationFailed(`no stored ${m.iso} ancillary-service prices for ${period.label}${zone ? ` (zone ${zone})` : ''}: import the ISO's AS clearing prices first, or run the backtest without ancillary`, [
      { field: 'ancillary', message: 'no stored AS prices in the period' },
    ]);
  }
  const products = opt.products ?? catalogue.filter((p) => stored.has(p));
  const issues: { field: string; message: string }[] = [];
  for (const p of products) {
    const s = stored.get(p);
    if (!s) {
      issues.push({ field: 'ancillary.products', message: `no stored ${p} prices in zone ${zone} for ${period.label}` });
    } else if (s.first > period.start.getTime() + EDGE_MS || s.last + H < period.end.getTime() - EDGE_MS) {
      issues.push({ field: 'ancillary', message: `stored ${p} prices cover only ${new Date(s.first).toISOString()} – ${new Date(s.last + H).toISOString()} of ${period.label}` });
    }
  }
  if (products.length === 0) issues.push({ field: 'ancillary', message: `no ${m.iso} catalogue product has stored prices for ${period.label}` });
  if (issues.length) throw validationFailed(`ancillary services: ${issues.map((i) => i.message).join('; ')}`, issues);
  return { as_model: opt.as_model ?? 'default', zone, products };
}

/** The AS part of core's backtest config: the catalogue products and their stored prices over [from, end). */
export async function backtestAncillaryInputs(markets: MarketService, m: MarketDefinition, c: BacktestAncillaryConfig, from: Date, end: Date): Promise<NonNullable<BacktestConfig['ancillary']>> {
  const catalogue = getAncillaryMarket(m.iso as IsoId).products;
  const { rows } = await markets.systemAncillaryPrices(m.iso, from, end, c.zone);
  return {
    model: c.as_model,
    products: c.products.map((id) => catalogue.find((p) => p.id === id)!).filter(Boolean),
    prices: rows.filter((r) => c.products.includes(r.product)),
  };
}
