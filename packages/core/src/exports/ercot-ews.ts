/**
 * ERCOT EWS BidSet messages for one operating day: a battery's energy and AS offers in
 * ERCOT's market-transaction format.
 *
 * Sources (ERCOT's EWS documentation and schemas, github.com/ercot/api-specs, `ews/`):
 * - ErcotTransactionTypes.xsd 0.3.30 / ErcotCommonTypes.xsd 0.3.34: element names and order
 *   of BidSet, ThreePartOffer, EnergyBid, ASOffer, PriceCurve, ASPriceCurve. Since 0.3.20
 *   (2009) a BidSet is an `xs:choice`: it holds transactions of ONE type, so a day's export
 *   is one BidSet document per transaction type.
 * - "Market Transaction Service" §Message Specifications: a BidSet per trading date; a
 *   submission creates or overwrites the listed transactions.
 * - "Appendix E: SOAP Examples" (ThreePartOffer, ASOffer, EnergyBid) and "Appendix H: DST
 *   XML Examples" (dateTime offsets on 23/25-hour days, REGUP-RRS-ONNS OnLineReserves).
 * - "Ancillary Service Offer (ASO)" page: asType REGUP-RRS-ONNS (OnLineReserves with REGUP,
 *   RRSPF/RRSFF/RRSUF, ONNS, ECRS prices), Reg-Down (RegDown/REGDN), Off-Non-Spin; ≤ 5 blocks.
 *
 * Forms: before RTC+B (2025-12-05) an ERCOT battery was a generation resource plus a
 * controllable load resource (CLR): discharge offers go in a ThreePartOffer for the
 * generation resource, charging in a DAM EnergyBid at the battery's settlement point,
 * up-products in an ASOffer for the generation resource and Reg-Down in an ASOffer for the
 * CLR (a CLR provides Reg-Down by consuming more). From 2025-12-05 the battery is one
 * Energy Storage Resource (ESR): one ThreePartOffer whose Energy Bid/Offer Curve runs from
 * −charge MW to +discharge MW (Protocols §4.4.9.7.1), and its ASOffers.
 *
 * Not verified (no public schema or rule says): whether DAM awards separate OnLineReserves
 * blocks each only to the product priced on it (our reading: a block priced only for REGUP
 * offers REGUP); whether an ESR ThreePartOffer needs StartupCost/MinimumEnergy (we omit
 * them; FIP/FOP do not apply to storage per NP4-450-M §2.1 as quoted by ercot-ews-check);
 * the RequestMessage envelope and WS-Security signing are left to the submitting system.
 */
import type { BidSegment } from '../bids/types.js';
import { isYmd, localDayBoundsUtc, zonedLocalToUtc } from '../time/zoned.js';
import { ERCOT_TIMEZONE, ercotDateTime, ercotOperatingHours } from './ercot-clock.js';
import { buildAsOffers } from './ercot-ews-as.js';
import { ERCOT_MAX_CURVE_POINTS, formatErcotNumber, ercotStaircasePoints, type ErcotStairBlock } from './ercot-ews-curves.js';
import {
  ERCOT_EWS_MESSAGE_NAMESPACE,
  ERCOT_EWS_NAMESPACE,
  ercotEwsFormFor,
  offerHead,
  type ErcotEwsDocument,
  type ErcotEwsExport,
  type ErcotEwsExportInput,
  type ErcotEwsForm,
  type ErcotEwsIssue,
  type ErcotEwsRequestHeader,
  type ErcotEwsTransaction,
  type ErcotResourceOffers,
  type EwsContext,
} from './ercot-ews-types.js';
import { xmlEl, xmlLeaf, xmlDocument, type XmlElement, type XmlNode } from './xml.js';

const BID_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,10}[A-Za-z0-9]$/;
/** Nodal Protocols §4.4.9.3.1(3), §4.4.9.6.1(2): at least 1 MW per Energy Offer Curve / Energy Bid (not for ESRs). */
const MIN_ENERGY_MW = 1;

function curveData(points: readonly { mw: number; price: number }[]): XmlElement[] {
  return points.map((p) => xmlEl('CurveData', [xmlLeaf('xvalue', formatErcotNumber(p.mw)), xmlLeaf('y1value', formatErcotNumber(p.price))]));
}

/** Hourly curves from blocks; null entries are hours with nothing to offer. */
function hourlyCurves(
  ctx: EwsContext,
  r: ErcotResourceOffers,
  tag: 'EnergyOfferCurve' | 'PriceCurve',
  what: string,
  shape: (curve: readonly BidSegment[]) => { start_mw: number; blocks: ErcotStairBlock[] } | null,
  minimumMw: number | null,
): XmlNode[] {
  const nodes: XmlNode[] = [];
  const roundedHours: string[] = [];
  for (const h of ctx.hours) {
    const s = shape(r.curves[h.index] ?? []);
    if (!s || s.blocks.length === 0) continue;
    const { points, rounded } = ercotStaircasePoints(s.start_mw, s.blocks);
    if (points.length === 0) continue;
    const where = { asset_id: r.asset_id, hour_ending: h.hour_ending };
    if (rounded) roundedHours.push(h.hour_ending);
    if (points.length > ERCOT_MAX_CURVE_POINTS)
      ctx.issues.push({ code: 'too_many_points', severity: 'error', ...where, message: `${r.asset_id} HE${h.hour_ending} ${what}: ${points.length / 2} price steps need ${points.length} points; ERCOT takes at most ${ERCOT_MAX_CURVE_POINTS} (5 steps)` });
    const top = Math.max(...points.map((p) => p.mw));
    if (minimumMw !== null && top < minimumMw)
      ctx.issues.push({ code: 'below_minimum_mw', severity: 'error', ...where, message: `${r.asset_id} HE${h.hour_ending} ${what}: ${top} MW is below ERCOT's ${minimumMw} MW minimum` });
    const kids: XmlNode[] = [xmlLeaf('startTime', ercotDateTime(h.start)), xmlLeaf('endTime', ercotDateTime(h.end))];
    if (tag === 'PriceCurve') kids.push(xmlLeaf('curveStyle', 'CURVE'));
    kids.push(...curveData(points));
    nodes.push({ comment: `HE${h.hour_ending}` }, xmlEl(tag, kids));
  }
  if (roundedHours.length)
    ctx.issues.push({ code: 'precision_lost', severity: 'warning', asset_id: r.asset_id, message: `${r.asset_id} ${what} (HE${roundedHours.join(', HE')}): MW truncated to 0.1 MW and prices rounded to cents (ERCOT's MWSingleDecimal / ErcotPrice)` });
  return nodes;
}

const discharge = (curve: readonly BidSegment[]): ErcotStairBlock[] =>
  curve.filter((s) => s.mw > 0).map((s) => ({ width_mw: s.mw, price_usd_per_mwh: s.price_usd_per_mwh }));

/** Charge blocks as listed (deepest first) with their total. */
function charge(curve: readonly BidSegment[]): { total: number; blocks: ErcotStairBlock[] } {
  const blocks = curve.filter((s) => s.mw < 0).map((s) => ({ width_mw: -s.mw, price_usd_per_mwh: s.price_usd_per_mwh }));
  return { total: blocks.reduce((a, b) => a + b.width_mw, 0), blocks };
}

/** ESR Energy Bid/Offer Curve: from −Σcharge through 0 to +Σdischarge, in the curve's own (price-ascending) order. */
function esrShape(curve: readonly BidSegment[]) {
  const c = charge(curve);
  return { start_mw: -c.total, blocks: [...c.blocks, ...discharge(curve)] };
}

function threePartOffer(ctx: EwsContext, r: ErcotResourceOffers, form: ErcotEwsForm): XmlElement | null {
  const curves = form === 'energy_storage_resource'
    ? hourlyCurves(ctx, r, 'EnergyOfferCurve', 'Energy Bid/Offer Curve', esrShape, null)
    : hourlyCurves(ctx, r, 'EnergyOfferCurve', 'Energy Offer Curve', (c) => ({ start_mw: 0, blocks: discharge(c) }), MIN_ENERGY_MW);
  if (curves.length === 0) return null;
  const kids: XmlNode[] = [...offerHead(ctx, r), xmlLeaf('resource', r.resource)];
  if (form === 'generation_and_load_resource') {
    // As in ERCOT's Appendix E ThreePartOffer example; a battery has no fuel index, start-up or minimum-energy cost.
    const span = [xmlLeaf('startTime', ctx.day_start), xmlLeaf('endTime', ctx.day_end)];
    kids.push(
      xmlEl('EocFipFop', [...span, xmlLeaf('fipPercent', 0), xmlLeaf('fopPercent', 0)]),
      xmlEl('SuMeFipFop', [...span, xmlLeaf('fipPercent', 0), xmlLeaf('fopPercent', 0)]),
      xmlEl('StartupCost', [...span, xmlLeaf('hot', 0), xmlLeaf('intermediate', 0), xmlLeaf('cold', 0)]),
      xmlEl('MinimumEnergy', [...span, xmlLeaf('cost', 0)]),
    );
  }
  kids.push(...curves);
  return xmlEl('ThreePartOffer', kids);
}

/** Before RTC+B: charging as a DAM Energy Bid, quantities from 0 up, prices non-increasing (most valuable MW first). */
function energyBid(ctx: EwsContext, r: ErcotResourceOffers): XmlElement | null {
  const curves = hourlyCurves(ctx, r, 'PriceCurve', 'Energy Bid', (c) => ({ start_mw: 0, blocks: [...charge(c).blocks].reverse() }), MIN_ENERGY_MW);
  if (curves.length === 0) return null;
  if (!r.settlement_point) {
    ctx.issues.push({ code: 'missing_settlement_point', severity: 'error', asset_id: r.asset_id, message: `${r.asset_id}: charging bids before RTC+B go in a DAM Energy Bid, which needs the settlement point` });
    return null;
  }
  const bidId = r.bid_id ?? 'OPTIBID';
  if (!BID_ID.test(bidId))
    ctx.issues.push({ code: 'invalid_bid_id', severity: 'error', asset_id: r.asset_id, message: `${r.asset_id}: bidID ${JSON.stringify(bidId)} must be 2–12 characters of A–Z, a–z, 0–9, "_" or "-", starting and ending alphanumeric` });
  return xmlEl('EnergyBid', [...offerHead(ctx, r), xmlLeaf('sp', r.settlement_point), xmlLeaf('bidID', bidId), ...curves]);
}

function bidSet(date: string, transaction: ErcotEwsTransaction, items: readonly XmlElement[], header: ErcotEwsRequestHeader | undefined): string {
  const set = xmlEl('BidSet', [xmlLeaf('tradingDate', date), ...items], [['xmlns', ERCOT_EWS_NAMESPACE]]);
  if (!header) return xmlDocument(set);
  const h: XmlNode[] = [
    xmlLeaf('Verb', 'create'),
    xmlLeaf('Noun', 'BidSet'),
    xmlEl('ReplayDetection', [xmlLeaf('Nonce', header.nonce_for(transaction)), xmlLeaf('Created', ercotDateTime(header.created))]),
    xmlLeaf('Revision', header.revision ?? '001'),
    xmlLeaf('Source', header.source),
  ];
  if (header.user_id) h.push(xmlLeaf('UserID', header.user_id));
  if (header.message_id_for) h.push(xmlLeaf('MessageID', header.message_id_for(transaction)));
  if (header.comment) h.push(xmlLeaf('Comment', header.comment));
  return xmlDocument(xmlEl('RequestMessage', [xmlEl('Header', h), xmlEl('Payload', [set])], [['xmlns', ERCOT_EWS_MESSAGE_NAMESPACE]]));
}

/**
 * The BidSet documents for one ERCOT operating day (form chosen by the date; see the file
 * comment). Deterministic: same input, same bytes. When any issue is an `error` no
 * documents are returned, since ERCOT would reject them.
 */
export function buildErcotEwsBidSets(input: ErcotEwsExportInput): ErcotEwsExport {
  const date = input.delivery_date;
  const issues: ErcotEwsIssue[] = [];
  if (!isYmd(date)) {
    issues.push({ code: 'invalid_delivery_date', severity: 'error', message: `delivery_date must be YYYY-MM-DD (got ${JSON.stringify(date)})` });
    return { form: 'energy_storage_resource', delivery_date: date, documents: [], issues };
  }
  const form = ercotEwsFormFor(date);
  if (input.resources.length === 0) issues.push({ code: 'no_resources', severity: 'error', message: `no ERCOT offers to export for ${date}` });
  const day = localDayBoundsUtc(date, ERCOT_TIMEZONE);
  const ctx: EwsContext = {
    hours: ercotOperatingHours(date),
    day_start: ercotDateTime(day.start),
    day_end: ercotDateTime(day.end),
    expiration: ercotDateTime(input.expiration_time ?? zonedLocalToUtc(date, '23:59', ERCOT_TIMEZONE)),
    issues,
  };
  const tpos: XmlElement[] = [];
  const ebs: XmlElement[] = [];
  const asos: XmlElement[] = [];
  for (const r of input.resources) {
    if (!r.resource.trim())
      issues.push({ code: 'invalid_resource_name', severity: 'error', asset_id: r.asset_id, message: `${r.asset_id}: the ERCOT resource name is empty` });
    if (r.curves.length !== ctx.hours.length || (r.as_offers && r.as_offers.length !== ctx.hours.length)) {
      issues.push({
        code: 'wrong_hour_count',
        severity: 'error',
        asset_id: r.asset_id,
        message: `${r.asset_id}: ERCOT operating day ${date} has ${ctx.hours.length} hours; got ${r.curves.length} energy curves${r.as_offers ? ` and ${r.as_offers.length} AS offer lists` : ''}`,
      });
      continue;
    }
    const tpo = threePartOffer(ctx, r, form);
    if (tpo) tpos.push(tpo);
    if (form === 'generation_and_load_resource') {
      const eb = energyBid(ctx, r);
      if (eb) ebs.push(eb);
    }
    asos.push(...buildAsOffers(ctx, r, form, input.rrs_subtype ?? 'RRSPF'));
  }
  if (issues.some((i) => i.severity === 'error')) return { form, delivery_date: date, documents: [], issues };
  const documents: ErcotEwsDocument[] = [];
  const sets: [ErcotEwsTransaction, XmlElement[]][] = [['ThreePartOffer', tpos], ['EnergyBid', ebs], ['ASOffer', asos]];
  for (const [transaction, items] of sets)
    if (items.length) documents.push({ transaction, xml: bidSet(date, transaction, items, input.request_header) });
  return { form, delivery_date: date, documents, issues };
}
