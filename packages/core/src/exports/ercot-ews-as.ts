/**
 * ERCOT ASOffer transactions from our per-hour AS offers (EWS "Ancillary Service Offer
 * (ASO)" page; ErcotCommonTypes.xsd ASPriceCurve). Products map to the ASPriceCurve:
 *   REGUP → asType REGUP-RRS-ONNS, OnLineReserves/REGUP
 *   RRS   → REGUP-RRS-ONNS, OnLineReserves/RRSPF (or RRSFF/RRSUF, the NPRR863 sub-types)
 *   NSPIN → REGUP-RRS-ONNS, OnLineReserves/ONNS (a battery is on line: On-line Non-Spin)
 *   ECRS  → REGUP-RRS-ONNS, OnLineReserves/ECRS
 *   REGDN → asType Reg-Down, RegDown/REGDN
 * Each product offered in an hour is one block (xvalue MW, its price, block VARIABLE so
 * it may clear in part, as in ERCOT's examples), in the order above; ≤ 5 blocks per hour.
 * Before RTC+B the Reg-Down offer belongs to the battery's controllable load resource.
 */
import { ercotDateTime } from './ercot-clock.js';
import { ERCOT_MAX_AS_BLOCKS, ercotMw, ercotPrice, formatErcotNumber } from './ercot-ews-curves.js';
import { offerHead, type ErcotEwsForm, type ErcotResourceOffers, type ErcotRrsSubtype, type EwsContext } from './ercot-ews-types.js';
import { xmlEl, xmlLeaf, type XmlElement, type XmlNode } from './xml.js';

type AsType = 'REGUP-RRS-ONNS' | 'Reg-Down';

interface ProductMap {
  as_type: AsType;
  container: 'OnLineReserves' | 'RegDown';
  price_element: (rrs: ErcotRrsSubtype) => string;
}

/** Our product codes (the ISO's names, as in the AS catalogue) → EWS elements, in block order. */
export const ERCOT_EWS_AS_PRODUCTS: Readonly<Record<string, ProductMap>> = {
  REGUP: { as_type: 'REGUP-RRS-ONNS', container: 'OnLineReserves', price_element: () => 'REGUP' },
  RRS: { as_type: 'REGUP-RRS-ONNS', container: 'OnLineReserves', price_element: (rrs) => rrs },
  NSPIN: { as_type: 'REGUP-RRS-ONNS', container: 'OnLineReserves', price_element: () => 'ONNS' },
  ECRS: { as_type: 'REGUP-RRS-ONNS', container: 'OnLineReserves', price_element: () => 'ECRS' },
  REGDN: { as_type: 'Reg-Down', container: 'RegDown', price_element: () => 'REGDN' },
};
const ORDER = Object.keys(ERCOT_EWS_AS_PRODUCTS);
// XSD sequence inside OnLineReserves: xvalue, REGUP, RRS, RRSPF, RRSFF, RRSUF, ONNS, ECRS, block.

/** ASOffer elements of one resource for the day (none when it offers no AS). */
export function buildAsOffers(ctx: EwsContext, r: ErcotResourceOffers, form: ErcotEwsForm, rrs: ErcotRrsSubtype): XmlElement[] {
  if (!r.as_offers) return [];
  const curves: Record<AsType, XmlNode[]> = { 'REGUP-RRS-ONNS': [], 'Reg-Down': [] };
  let rounded = false;
  for (const h of ctx.hours) {
    const list = r.as_offers[h.index] ?? [];
    const blocks: Record<AsType, XmlElement[]> = { 'REGUP-RRS-ONNS': [], 'Reg-Down': [] };
    const sorted = [...list].sort((a, b) => ORDER.indexOf(a.product) - ORDER.indexOf(b.product));
    for (const o of sorted) {
      const map = ERCOT_EWS_AS_PRODUCTS[o.product];
      if (!map) {
        ctx.issues.push({ code: 'unknown_as_product', severity: 'error', asset_id: r.asset_id, hour_ending: h.hour_ending, message: `${r.asset_id} HE${h.hour_ending}: no ERCOT EWS AS offer element for product ${JSON.stringify(o.product)} (known: ${ORDER.join(', ')})` });
        continue;
      }
      const mw = ercotMw(o.mw);
      const price = ercotPrice(o.price_usd_per_mw);
      if (Math.abs(mw - o.mw) > 1e-9 || price !== o.price_usd_per_mw) rounded = true;
      if (mw <= 0) continue;
      blocks[map.as_type].push(xmlEl(map.container, [xmlLeaf('xvalue', formatErcotNumber(mw)), xmlLeaf(map.price_element(rrs), formatErcotNumber(price)), xmlLeaf('block', 'VARIABLE')]));
    }
    for (const t of ['REGUP-RRS-ONNS', 'Reg-Down'] as const) {
      if (blocks[t].length === 0) continue;
      if (blocks[t].length > ERCOT_MAX_AS_BLOCKS)
        ctx.issues.push({ code: 'too_many_as_blocks', severity: 'error', asset_id: r.asset_id, hour_ending: h.hour_ending, message: `${r.asset_id} HE${h.hour_ending}: ${blocks[t].length} ${t} blocks; ERCOT takes at most ${ERCOT_MAX_AS_BLOCKS}` });
      curves[t].push({ comment: `HE${h.hour_ending}` }, xmlEl('ASPriceCurve', [xmlLeaf('startTime', ercotDateTime(h.start)), xmlLeaf('endTime', ercotDateTime(h.end)), ...blocks[t]]));
    }
  }
  if (rounded)
    ctx.issues.push({ code: 'precision_lost', severity: 'warning', asset_id: r.asset_id, message: `${r.asset_id} AS offers: MW truncated to 0.1 MW and prices rounded to cents (ERCOT's MWSingleDecimal / ErcotPrice)` });
  const out: XmlElement[] = [];
  for (const t of ['REGUP-RRS-ONNS', 'Reg-Down'] as const) {
    if (curves[t].length === 0) continue;
    let resource = r.resource;
    if (t === 'Reg-Down' && form === 'generation_and_load_resource') {
      if (!r.load_resource) {
        ctx.issues.push({ code: 'missing_load_resource', severity: 'error', asset_id: r.asset_id, message: `${r.asset_id}: before RTC+B Reg-Down is offered by the battery's controllable load resource; give load_resource` });
        continue;
      }
      resource = r.load_resource;
    }
    out.push(xmlEl('ASOffer', [...offerHead(ctx, r), xmlLeaf('resource', resource), xmlLeaf('asType', t), ...curves[t]]));
  }
  return out;
}
