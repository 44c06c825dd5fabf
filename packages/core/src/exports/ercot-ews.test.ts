import { readFileSync, writeFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { AncillaryOffer } from '../bids/ancillary-offers.js';
import type { BidSegment } from '../bids/types.js';
import { localDayBoundsUtc } from '../time/zoned.js';
import { ercotOperatingHours } from './ercot-clock.js';
import { buildErcotEwsBidSets } from './ercot-ews.js';
import type { ErcotEwsExport, ErcotResourceOffers } from './ercot-ews-types.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);

/** A 1 MW / 2 MWh battery's storage curve and AS offers in a few hours of the day (the rest empty). */
function battery(date: string, offerHours: readonly number[], extra: Partial<ErcotResourceOffers> = {}): ErcotResourceOffers {
  const n = localDayBoundsUtc(date, 'America/Chicago').hours;
  const curve = (h: number): BidSegment[] => [
    { mw: -0.5, price_usd_per_mwh: 10 + h / 10 },
    { mw: -0.5, price_usd_per_mwh: 18.5 },
    { mw: 0.6, price_usd_per_mwh: 45.125 },
    { mw: 0.4, price_usd_per_mwh: 80 },
  ];
  const as = (h: number): AncillaryOffer[] => [
    { product: 'REGDN', mw: 0.3, price_usd_per_mw: 4 + h / 10 },
    { product: 'RRS', mw: 0.2, price_usd_per_mw: 6 },
    { product: 'REGUP', mw: 0.25, price_usd_per_mw: 5 },
  ];
  return {
    asset_id: 'bat-1',
    resource: 'OPTI_ESS1',
    load_resource: 'OPTI_ESS1_LD',
    settlement_point: 'HB_HOUSTON',
    curves: Array.from({ length: n }, (_, h) => (offerHours.includes(h) ? curve(h) : [])),
    as_offers: Array.from({ length: n }, (_, h) => (offerHours.includes(h) ? as(h) : [])),
    ...extra,
  };
}

function golden(name: string, out: ErcotEwsExport): void {
  for (const d of out.documents) {
    const file = new URL(`${name}-${d.transaction}.xml`, FIXTURES);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, d.xml);
    expect(d.xml).toBe(readFileSync(file, 'utf8'));
  }
}

const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => ['ThreePartOffer', 'EnergyBid', 'ASOffer', 'EnergyOfferCurve', 'PriceCurve', 'ASPriceCurve', 'CurveData', 'OnLineReserves', 'RegDown'].includes(name) });
type Parsed = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
function parse(xml: string): Parsed {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as Parsed;
  expect(doc.BidSet['@_xmlns']).toBe('http://www.ercot.com/schema/2007-06/nodal/ews');
  return doc.BidSet;
}
const hourComments = (xml: string) => [...xml.matchAll(/<!-- HE(\d\d\*?) -->/g)].map((m) => m[1]);

/** Hourly curves cover consecutive whole hours starting at the given instants. */
function expectHours(curves: Parsed[], starts: Date[]): void {
  expect(curves.map((c) => new Date(c.startTime).getTime())).toEqual(starts.map((s) => s.getTime()));
  for (const c of curves) expect(new Date(c.endTime).getTime() - new Date(c.startTime).getTime()).toBe(3_600_000);
}

describe('ercotOperatingHours', () => {
  it('labels hour-ending like ERCOT: no HE03 on the spring day, HE02* on the fall day', () => {
    expect(ercotOperatingHours('2015-06-15').map((h) => h.hour_ending)).toEqual(Array.from({ length: 24 }, (_, k) => String(k + 1).padStart(2, '0')));
    const spring = ercotOperatingHours('2015-03-08').map((h) => h.hour_ending);
    expect(spring.slice(0, 4)).toEqual(['01', '02', '04', '05']);
    expect(spring).toHaveLength(23);
    const fall = ercotOperatingHours('2015-11-01').map((h) => h.hour_ending);
    expect(fall.slice(0, 5)).toEqual(['01', '02', '02*', '03', '04']);
    expect(fall).toHaveLength(25);
  });
});

describe('buildErcotEwsBidSets before RTC+B (generation resource + controllable load resource)', () => {
  it('normal day: golden ThreePartOffer, EnergyBid and ASOffer BidSets', () => {
    const out = buildErcotEwsBidSets({ delivery_date: '2015-06-15', resources: [battery('2015-06-15', [0, 17])] });
    expect(out.form).toBe('generation_and_load_resource');
    expect(out.documents.map((d) => d.transaction)).toEqual(['ThreePartOffer', 'EnergyBid', 'ASOffer']);
    // 0.25 MW REGUP and 45.125 $/MWh are not representable: warned, not refused.
    expect(out.issues.map((i) => [i.code, i.severity])).toEqual([['precision_lost', 'warning'], ['precision_lost', 'warning']]);
    golden('2015-06-15', out);

    const [tpo, eb, aso] = out.documents.map((d) => parse(d.xml));
    expect(tpo!.tradingDate).toBe('2015-06-15');
    const offer = tpo!.ThreePartOffer[0];
    expect(offer.resource).toBe('OPTI_ESS1');
    expect(offer.startTime).toBe('2015-06-15T00:00:00-05:00');
    // Discharge side only, from 0 MW, staircase points: (0,45.13) (0.6,45.13) (0.6,80) (1,80).
    expect(offer.EnergyOfferCurve[0].CurveData.map((p: Parsed) => [p.xvalue, p.y1value])).toEqual([['0', '45.13'], ['0.6', '45.13'], ['0.6', '80'], ['1', '80']]);
    expectHours(offer.EnergyOfferCurve, [new Date('2015-06-15T05:00:00Z'), new Date('2015-06-15T22:00:00Z')]);
    // Charging as a DAM Energy Bid: most valuable MW first, prices never rise.
    const bid = eb!.EnergyBid[0];
    expect(bid.sp).toBe('HB_HOUSTON');
    expect(bid.PriceCurve[1].CurveData.map((p: Parsed) => [p.xvalue, p.y1value])).toEqual([['0', '18.5'], ['0.5', '18.5'], ['0.5', '11.7'], ['1', '11.7']]);
    // Up products on the generation resource, Reg-Down on the load resource.
    expect(aso!.ASOffer.map((o: Parsed) => [o.resource, o.asType])).toEqual([['OPTI_ESS1', 'REGUP-RRS-ONNS'], ['OPTI_ESS1_LD', 'Reg-Down']]);
    const up = aso!.ASOffer[0].ASPriceCurve[0].OnLineReserves;
    expect(up.map((b: Parsed) => [b.xvalue, b.REGUP ?? null, b.RRSPF ?? null, b.block])).toEqual([['0.2', '5', null, 'VARIABLE'], ['0.2', null, '6', 'VARIABLE']]);
    expect(aso!.ASOffer[1].ASPriceCurve[1].RegDown[0]).toEqual({ xvalue: '0.3', REGDN: '5.7', block: 'VARIABLE' });
    expect(hourComments(out.documents[0]!.xml)).toEqual(['01', '18']);
  });

  it('spring-forward day (23 hours): the hour after HE02 is HE04 and starts at 03:00 CDT', () => {
    const out = buildErcotEwsBidSets({ delivery_date: '2015-03-08', resources: [battery('2015-03-08', [0, 1, 2])] });
    golden('2015-03-08', out);
    const tpo = parse(out.documents[0]!.xml).ThreePartOffer[0];
    expect(tpo.startTime).toBe('2015-03-08T00:00:00-06:00');
    expect(tpo.endTime).toBe('2015-03-09T00:00:00-05:00');
    expect(tpo.EnergyOfferCurve.map((c: Parsed) => c.startTime)).toEqual(['2015-03-08T00:00:00-06:00', '2015-03-08T01:00:00-06:00', '2015-03-08T03:00:00-05:00']);
    expectHours(tpo.EnergyOfferCurve, [0, 1, 2].map((k) => new Date(Date.UTC(2015, 2, 8, 6 + k))));
    expect(hourComments(out.documents[2]!.xml)).toEqual(['01', '02', '04', '01', '02', '04']);
  });

  it('fall-back day (25 hours): the repeated hour is 01:00-06:00 to 02:00-06:00, labelled HE02*', () => {
    const out = buildErcotEwsBidSets({ delivery_date: '2015-11-01', resources: [battery('2015-11-01', [1, 2, 3])] });
    golden('2015-11-01', out);
    const eb = parse(out.documents[1]!.xml).EnergyBid[0];
    expect(eb.PriceCurve.map((c: Parsed) => [c.startTime, c.endTime])).toEqual([
      ['2015-11-01T01:00:00-05:00', '2015-11-01T01:00:00-06:00'],
      ['2015-11-01T01:00:00-06:00', '2015-11-01T02:00:00-06:00'],
      ['2015-11-01T02:00:00-06:00', '2015-11-01T03:00:00-06:00'],
    ]);
    expectHours(eb.PriceCurve, [1, 2, 3].map((k) => new Date(Date.UTC(2015, 10, 1, 5 + k))));
    expect(hourComments(out.documents[1]!.xml)).toEqual(['02', '02*', '03']);
  });
});

describe('buildErcotEwsBidSets from RTC+B (single Energy Storage Resource)', () => {
  it('normal day: one ThreePartOffer from −charge to +discharge and the ESR ASOffers', () => {
    const out = buildErcotEwsBidSets({ delivery_date: '2026-01-15', resources: [battery('2026-01-15', [0, 17], { load_resource: undefined, settlement_point: undefined, external_id: 'bid 7 <A&B>' })] });
    expect(out.form).toBe('energy_storage_resource');
    expect(out.documents.map((d) => d.transaction)).toEqual(['ThreePartOffer', 'ASOffer']);
    golden('2026-01-15', out);
    const tpo = parse(out.documents[0]!.xml).ThreePartOffer[0];
    expect(tpo.externalId).toBe('bid 7 <A&B>'); // escaped in the XML, restored by the parser
    expect(tpo.EocFipFop).toBeUndefined();
    const pts = tpo.EnergyOfferCurve[0].CurveData.map((p: Parsed) => [Number(p.xvalue), Number(p.y1value)]);
    expect(pts).toEqual([[-1, 10], [-0.5, 10], [-0.5, 18.5], [0, 18.5], [0, 45.13], [0.6, 45.13], [0.6, 80], [1, 80]]);
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]![0]).toBeGreaterThanOrEqual(pts[i - 1]![0]);
      expect(pts[i]![1]).toBeGreaterThanOrEqual(pts[i - 1]![1]);
    }
    const aso = parse(out.documents[1]!.xml).ASOffer;
    expect(aso.map((o: Parsed) => [o.resource, o.asType])).toEqual([['OPTI_ESS1', 'REGUP-RRS-ONNS'], ['OPTI_ESS1', 'Reg-Down']]);
  });

  it('the day before RTC+B still uses the split form', () => {
    expect(buildErcotEwsBidSets({ delivery_date: '2025-12-04', resources: [battery('2025-12-04', [0])] }).form).toBe('generation_and_load_resource');
    expect(buildErcotEwsBidSets({ delivery_date: '2025-12-05', resources: [battery('2025-12-05', [0])] }).form).toBe('energy_storage_resource');
  });
});

describe('buildErcotEwsBidSets refuses what ERCOT would reject', () => {
  const codes = (out: ErcotEwsExport) => out.issues.filter((i) => i.severity === 'error').map((i) => i.code);

  it('more than 5 price steps in an hour, a bad bidID, unknown AS products', () => {
    const steps: BidSegment[] = Array.from({ length: 6 }, (_, k) => ({ mw: 0.2, price_usd_per_mwh: 20 + k }));
    const r = battery('2026-01-15', [3], { curves: battery('2026-01-15', []).curves.map((c, h) => (h === 3 ? steps : c)) });
    const out = buildErcotEwsBidSets({ delivery_date: '2026-01-15', resources: [r] });
    expect(codes(out)).toEqual(['too_many_points']);
    expect(out.issues[0]!.hour_ending).toBe('04');
    expect(out.documents).toEqual([]);
    const pre = buildErcotEwsBidSets({ delivery_date: '2015-06-15', resources: [battery('2015-06-15', [0], { bid_id: 'x', as_offers: battery('2015-06-15', []).as_offers!.map((_, h) => (h === 0 ? [{ product: 'SPIN', mw: 1, price_usd_per_mw: 1 }] : [])) })] });
    expect(codes(pre)).toEqual(['invalid_bid_id', 'unknown_as_product']);
  });

  it('missing registration names, wrong hour count, sub-1 MW energy offers before RTC+B', () => {
    expect(codes(buildErcotEwsBidSets({ delivery_date: '2015-06-15', resources: [battery('2015-06-15', [0], { load_resource: undefined, settlement_point: undefined })] }))).toEqual(['missing_settlement_point', 'missing_load_resource']);
    expect(codes(buildErcotEwsBidSets({ delivery_date: '2015-11-01', resources: [battery('2015-06-15', [0])] }))).toEqual(['wrong_hour_count']);
    const small = battery('2015-06-15', [0]);
    small.curves = small.curves.map((c) => c.map((s) => ({ ...s, mw: s.mw / 2 })));
    expect(codes(buildErcotEwsBidSets({ delivery_date: '2015-06-15', resources: [small] }))).toEqual(['below_minimum_mw', 'below_minimum_mw']);
    const esr = battery('2026-01-15', [0]);
    esr.curves = esr.curves.map((c) => c.map((s) => ({ ...s, mw: s.mw / 2 })));
    expect(codes(buildErcotEwsBidSets({ delivery_date: '2026-01-15', resources: [esr] }))).toEqual([]); // no minimum for an ESR
    expect(codes(buildErcotEwsBidSets({ delivery_date: '2026-1-15', resources: [] }))).toEqual(['invalid_delivery_date']);
    expect(codes(buildErcotEwsBidSets({ delivery_date: '2026-01-15', resources: [] }))).toEqual(['no_resources']);
  });

  it('wraps each BidSet in a RequestMessage with its own nonce when a header is given', () => {
    const out = buildErcotEwsBidSets({
      delivery_date: '2026-01-15',
      resources: [battery('2026-01-15', [5])],
      request_header: { source: 'QOPTI', user_id: 'ops&1', created: new Date('2026-01-14T15:00:00Z'), nonce_for: (t) => `n-${t}`, message_id_for: (t) => `m-${t}` },
    });
    golden('2026-01-15-request', out);
    const docs = out.documents.map((d) => {
      expect(XMLValidator.validate(d.xml)).toBe(true);
      return (parser.parse(d.xml) as Parsed).RequestMessage;
    });
    expect(docs.map((m) => [m.Header.Verb, m.Header.Noun, m.Header.ReplayDetection.Nonce, m.Header.ReplayDetection.Created, m.Header.UserID])).toEqual([
      ['create', 'BidSet', 'n-ThreePartOffer', '2026-01-14T09:00:00-06:00', 'ops&1'],
      ['create', 'BidSet', 'n-ASOffer', '2026-01-14T09:00:00-06:00', 'ops&1'],
    ]);
    expect(docs[0].Payload.BidSet.tradingDate).toBe('2026-01-15');
    expect(docs[0]['@_xmlns']).toBe('http://www.ercot.com/schema/2007-06/nodal/ews/message');
  });

  it('is deterministic', () => {
    const input = { delivery_date: '2015-11-01', resources: [battery('2015-11-01', [0, 1, 2, 24])] };
    expect(buildErcotEwsBidSets(input)).toEqual(buildErcotEwsBidSets(input));
  });
});
