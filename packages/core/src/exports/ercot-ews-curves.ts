/**
 * Number formats and curve points of ERCOT EWS market transactions.
 *
 * ErcotCommonTypes.xsd (github.com/ercot/api-specs, ews/xsds): MW values are
 * `MWSingleDecimal` (ERCOT stores one decimal; more is truncated toward zero, so we
 * truncate first and say so), prices are `ErcotPrice` (`[+-]?\d{1,6}(\.\d{0,2})?`, cents),
 * a PriceCurve holds at most 10 CurveData points, an AS price curve at most 5 blocks.
 *
 * Our curves are staircases of blocks (`BidSegment`); ERCOT's energy curves are points
 * (xvalue MW, y1value $/MWh) joined by straight lines, monotone in MW and price, with no
 * more than two consecutive points sharing a price or a quantity (Nodal Protocols
 * §4.4.9.3.1, §4.4.9.6.1, §4.4.9.7.1 as quoted by the ercot-ews-check project). A block of
 * width w at price p from x is drawn exactly as the two points (x, p), (x + w, p); adjacent
 * blocks at the same price are merged first so no three points share a price. A staircase
 * of n blocks therefore needs 2n points: at most 5 blocks per hour fit ERCOT's 10.
 */

export const ERCOT_MAX_CURVE_POINTS = 10;
export const ERCOT_MAX_AS_BLOCKS = 5;

/** MW with one decimal, truncated toward zero; `-0` prints as `0`. */
export function ercotMw(mw: number): number {
  const t = Math.trunc(Math.round(mw * 1e6) / 1e5) / 10;
  return t === 0 ? 0 : t;
}

/** Price rounded half away from zero to cents. */
export function ercotPrice(p: number): number {
  const r = (Math.sign(p) * Math.round(Math.abs(p) * 100 + 1e-7)) / 100;
  return r === 0 ? 0 : r;
}

export function formatErcotNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  return String(x === 0 ? 0 : x);
}

export interface ErcotCurvePoint {
  mw: number;
  price: number;
}

export interface ErcotStairBlock {
  /** Block width in MW, > 0. */
  width_mw: number;
  price_usd_per_mwh: number;
}

export interface ErcotCurvePointsResult {
  points: ErcotCurvePoint[];
  /** True when MW or price lost precision in ERCOT's format. */
  rounded: boolean;
}

/**
 * Points of a staircase starting at `start_mw`, in ERCOT precision: cumulative MW are
 * truncated (blocks that vanish are dropped), prices rounded, equal neighbours merged.
 */
export function ercotStaircasePoints(start_mw: number, blocks: readonly ErcotStairBlock[]): ErcotCurvePointsResult {
  let rounded = false;
  const merged: { from: number; to: number; price: number }[] = [];
  let x = start_mw;
  let xr = ercotMw(start_mw);
  if (xr !== start_mw) rounded = true;
  for (const b of blocks) {
    const next = x + b.width_mw;
    const nextR = ercotMw(next);
    const price = ercotPrice(b.price_usd_per_mwh);
    if (Math.abs(nextR - next) > 1e-9 || price !== b.price_usd_per_mwh) rounded = true;
    x = next;
    if (nextR === xr) continue;
    const last = merged[merged.length - 1];
    if (last && last.price === price) last.to = nextR;
    else merged.push({ from: xr, to: nextR, price });
    xr = nextR;
  }
  const points: ErcotCurvePoint[] = [];
  for (const m of merged) points.push({ mw: m.from, price: m.price }, { mw: m.to, price: m.price });
  return { points, rounded };
}
