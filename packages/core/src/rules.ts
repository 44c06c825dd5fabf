/**
 * `@optibid/core/rules`: the pure bid and market rules for callers that must not load the
 * optimiser (HiGHS and its worker pool) or the importers, i.e. the web app. The server and the
 * web editor run the same functions, so they reject the same curves with the same messages.
 */
export * from './bids/types.js';
export {
  validateBid,
  validateBidCurves,
  type BidCurves,
  type BidValidationContext,
  type CurveMarketRules,
  type CurveValidationContext,
} from './bids/validate.js';
export * from './bids/lifecycle.js';
export type { AssetBidLimits, AssetSpec } from './assets/types.js';
export * from './markets/types.js';
export { dayAheadGateClosure, marketLocalDate, nextDayAheadGateClosure, rtBidClosure } from './markets/gate-closure.js';
export { validateAncillaryOffers, ancillaryAssetLimits, type AncillaryOffer, type AsOfferIssue } from './bids/ancillary-offers.js';
export { getAncillaryMarket, ancillaryProductsOn, type AncillaryProduct } from './markets/ancillary-services.js';
