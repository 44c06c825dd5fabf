import type { IsoId } from '../markets/types.js';

/** Instants are UTC `Date`s; `market_date` is the market-local calendar day `YYYY-MM-DD`. */
export interface AwardInterval {
  interval_start: Date;
  duration_h: number;
  /** Net MW: supply positive, consumption negative. */
  awarded_mw: number;
}

export interface PricedAwardInterval extends AwardInterval {
  price_usd_per_mwh: number;
}

export interface SettlementPriceInterval {
  interval_start: Date;
  duration_h: number;
  price_usd_per_mwh: number;
}

export interface TelemetryPoint {
  interval_start: Date;
  /** Metered net MW over the interval (supply positive). */
  delivered_mw: number;
}

export type SettlementKind = 'da_energy' | 'rt_deviation';

/** One settled interval. `amount_usd` > 0 is paid to the participant, < 0 paid by it. */
export interface SettlementLine {
  asset_id: string;
  iso: IsoId;
  market_date: string;
  kind: SettlementKind;
  interval_start: Date;
  duration_h: number;
  /** DA: awarded MW. RT: deviation MW (delivered − DA award). */
  mw: number;
  price_usd_per_mwh: number;
  amount_usd: number;
}

/** Physical net output of an asset over an interval (delivered = award unless metered). */
export interface DeliveryRecord {
  asset_id: string;
  iso: IsoId;
  market_date: string;
  interval_start: Date;
  duration_h: number;
  delivered_mw: number;
}
