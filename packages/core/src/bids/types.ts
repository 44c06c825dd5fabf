/**
 * Bid curves.
 *
 * A curve is an ordered list of blocks `{mw, price_usd_per_mwh}`; `mw` is the
 * signed WIDTH of the block (not a cumulative point): positive sells (supply),
 * negative buys (demand). Blocks are listed in MW order of the curve they draw:
 * - supply: positive blocks from 0 MW upward, prices non-decreasing;
 * - demand: negative blocks from 0 MW outward (first = most valuable MW), prices non-increasing;
 * - storage (CAISO NGR style, one curve from −charge to +discharge): the charge
 *   blocks from the deepest charge up to 0 MW, then the discharge blocks from 0
 *   upward; prices non-decreasing along the whole curve. Each charge block is a
 *   buy at its price and each discharge block a sell, so at price λ the unit sits
 *   at the point of the curve where λ crosses it.
 */
import type { BidRun, IsoId } from '../markets/types.js';

export interface BidSegment {
  /** Signed block width in MW: > 0 sells, < 0 buys. */
  mw: number;
  price_usd_per_mwh: number;
}

export const BID_SIDES = ['supply', 'demand', 'storage'] as const;
export type BidSide = (typeof BID_SIDES)[number];

export const BID_STATUSES = ['draft', 'submitted', 'accepted', 'rejected', 'cleared', 'settled', 'cancelled'] as const;
export type BidStatus = (typeof BID_STATUSES)[number];

/**
 * The content of a bid as validation and clearing see it.
 * DA: `curves[h]` is hour h of the market-local `delivery_date` (23, 24 or 25 hours).
 * RT: `curves[k]` is the interval starting at `interval_start + k × interval_minutes`.
 */
export interface BidContent {
  iso: IsoId;
  run: BidRun;
  side: BidSide;
  /** DA: market-local delivery day `YYYY-MM-DD` (required). RT: ignored. */
  delivery_date?: string;
  /** RT: start of the first interval, UTC (required). */
  interval_start?: Date;
  /** RT interval length; defaults to the market's RT pricing interval. */
  interval_minutes?: number;
  /** Prices above the soft cap are allowed only when the offer is cost-verified (FERC Order 831). */
  cost_verified?: boolean;
  curves: BidSegment[][];
}

export const BID_ISSUE_CODES = [
  'invalid_number',
  'zero_mw',
  'wrong_sign',
  'storage_order',
  'too_many_segments',
  'price_above_soft_cap',
  'price_above_hard_cap',
  'price_below_floor',
  'non_monotone_price',
  'mw_outside_limits',
  'invalid_delivery',
  'wrong_period_count',
  'delivery_not_future',
  'gate_closed',
] as const;
export type BidIssueCode = (typeof BID_ISSUE_CODES)[number];

/** One broken rule. `period` is the 0-based index into `curves` (DA hour of the day, RT interval). */
export interface BidIssue {
  code: BidIssueCode;
  message: string;
  period?: number;
  /** 0-based index of the block within the period's curve. */
  segment?: number;
}
