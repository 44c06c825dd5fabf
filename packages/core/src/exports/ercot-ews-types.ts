/** Types shared by the ERCOT EWS export files (see `ercot-ews.ts` for sources and forms). */
import type { AncillaryOffer } from '../bids/ancillary-offers.js';
import type { BidSegment } from '../bids/types.js';
import type { ErcotHour } from './ercot-clock.js';
import { xmlLeaf, type XmlNode } from './xml.js';

/** The RRS sub-type whose price element carries RRS offers (NPRR863): primary, fast or under-frequency response. */
export type ErcotRrsSubtype = 'RRSPF' | 'RRSFF' | 'RRSUF';

export const ERCOT_EWS_NAMESPACE = 'http://www.ercot.com/schema/2007-06/nodal/ews';
export const ERCOT_EWS_MESSAGE_NAMESPACE = 'http://www.ercot.com/schema/2007-06/nodal/ews/message';
/** First operating day of RTC+B and the single Energy Storage Resource model. */
export const ERCOT_RTCB_EFFECTIVE_DATE = '2025-12-05';

export type ErcotEwsForm = 'generation_and_load_resource' | 'energy_storage_resource';
export type ErcotEwsTransaction = 'ThreePartOffer' | 'EnergyBid' | 'ASOffer';

/** One battery's offers for the day, with its ERCOT registration names. */
export interface ErcotResourceOffers {
  /** Our asset id (messages only). */
  asset_id: string;
  /** ERCOT resource name: the ESR from RTC+B, the generation resource before. */
  resource: string;
  /** Before RTC+B: the controllable load resource that carries Reg-Down. */
  load_resource?: string;
  /** Before RTC+B: settlement point of the DAM Energy Bid for charging (e.g. the resource node). */
  settlement_point?: string;
  /** EnergyBid bidID: 2–12 of `[A-Za-z0-9_-]`, first and last alphanumeric. Default `OPTIBID`. */
  bid_id?: string;
  /** QSE identifier echoed in ERCOT's notifications (`externalId`). */
  external_id?: string;
  /** One curve per hour of the operating day, `BidSegment` convention (storage: charge blocks first). */
  curves: readonly (readonly BidSegment[])[];
  /** One list per hour, indexed like `curves`. */
  as_offers?: readonly (readonly AncillaryOffer[])[];
}

/**
 * The EWS RequestMessage header (Message.xsd HeaderType; "Market Transaction Service":
 * Verb create, Noun BidSet, Source = the QSE). Replay detection needs a fresh nonce per
 * message, so the caller supplies them (keeps the builder deterministic). WS-Security
 * signing and the SOAP envelope stay with the submitting system.
 */
export interface ErcotEwsRequestHeader {
  /** The QSE's market participant ID. */
  source: string;
  user_id?: string;
  comment?: string;
  /** Header Revision; Message.xsd default `001`. */
  revision?: string;
  created: Date;
  nonce_for: (transaction: ErcotEwsTransaction) => string;
  message_id_for?: (transaction: ErcotEwsTransaction) => string;
}

export interface ErcotEwsExportInput {
  /** ERCOT operating day `YYYY-MM-DD` (the BidSet's tradingDate). */
  delivery_date: string;
  resources: readonly ErcotResourceOffers[];
  /** Offer expiration; default 23:59 on the operating day, as in ERCOT's Appendix H examples. */
  expiration_time?: Date;
  /** RRS price element for RRS offers: RRSPF (primary frequency response, default), RRSFF (fast), RRSUF. */
  rrs_subtype?: ErcotRrsSubtype;
  /** When given, each document is a RequestMessage (create BidSet) with this header around the BidSet. */
  request_header?: ErcotEwsRequestHeader;
}

export interface ErcotEwsDocument {
  transaction: ErcotEwsTransaction;
  /** A whole XML document whose root is the BidSet (or the RequestMessage around it). */
  xml: string;
}

export const ERCOT_EWS_ISSUE_CODES = [
  'invalid_delivery_date',
  'no_resources',
  'invalid_resource_name',
  'wrong_hour_count',
  'too_many_points',
  'below_minimum_mw',
  'missing_settlement_point',
  'missing_load_resource',
  'invalid_bid_id',
  'unknown_as_product',
  'too_many_as_blocks',
  'precision_lost',
] as const;
export type ErcotEwsIssueCode = (typeof ERCOT_EWS_ISSUE_CODES)[number];

/** `error`: ERCOT would reject the message, so no documents are produced; `warning`: exported with a change. */
export interface ErcotEwsIssue {
  code: ErcotEwsIssueCode;
  severity: 'error' | 'warning';
  message: string;
  asset_id?: string;
  /** ERCOT hour-ending label (`01`…`24`, `02*`). */
  hour_ending?: string;
}

export interface ErcotEwsExport {
  form: ErcotEwsForm;
  delivery_date: string;
  /** In submission order: ThreePartOffer, EnergyBid, ASOffer; types with nothing to send are absent. */
  documents: ErcotEwsDocument[];
  issues: ErcotEwsIssue[];
}

export function ercotEwsFormFor(deliveryDate: string): ErcotEwsForm {
  return deliveryDate >= ERCOT_RTCB_EFFECTIVE_DATE ? 'energy_storage_resource' : 'generation_and_load_resource';
}

export interface EwsContext {
  hours: ErcotHour[];
  day_start: string;
  day_end: string;
  expiration: string;
  issues: ErcotEwsIssue[];
}

/** Common head of an offer/bid: startTime, endTime, externalId, expirationTime (XSD Bid → Offer order). */
export function offerHead(ctx: EwsContext, r: ErcotResourceOffers): XmlNode[] {
  const head: XmlNode[] = [xmlLeaf('startTime', ctx.day_start), xmlLeaf('endTime', ctx.day_end)];
  if (r.external_id) head.push(xmlLeaf('externalId', r.external_id));
  head.push(xmlLeaf('expirationTime', ctx.expiration));
  return head;
}

