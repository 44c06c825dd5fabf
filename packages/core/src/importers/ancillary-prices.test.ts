import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAncillaryPriceFile } from './ancillary-prices.js';

const read = (rel: string) => ({ name: rel.split('/').pop()!, data: new Uint8Array(readFileSync(new URL(`../../test-fixtures/${rel}`, import.meta.url))) });

describe('ancillary-service price importers', () => {
  it('ERCOT NP4-181-ER 2015 yearly zip: 4 products × 8,760 hours, trimmed names, DST days exact', () => {
    const [r] = parseAncillaryPriceFile(read('ercot-2015/NP4-181-ER_DAMASMCPC_2015.zip'));
    expect(r!.format).toBe('ercot_dam_as_mcpc');
    expect(r!.rejections).toEqual([]);
    expect(r!.rows).toHaveLength(4 * 8760);
    expect(new Set(r!.rows.map((x) => x.product))).toEqual(new Set(['REGDN', 'REGUP', 'RRS', 'NSPIN']));
    const first = r!.rows.filter((x) => x.interval_start.toISOString() === '2015-01-01T06:00:00.000Z');
    expect(Object.fromEntries(first.map((x) => [x.product, x.price_usd_per_mw]))).toEqual({ REGDN: 2.11, REGUP: 2.11, RRS: 3, NSPIN: 1 });
    const hoursBetween = (from: string, to: string) => r!.rows.filter((x) => x.product === 'RRS' && x.interval_start >= new Date(from) && x.interval_start < new Date(to)).length;
    // Local midnight to midnight, Central time: 23 hours on spring-forward, 25 on fall-back.
    expect(hoursBetween('2015-03-08T06:00:00Z', '2015-03-09T05:00:00Z')).toBe(23);
    expect(hoursBetween('2015-11-01T05:00:00Z', '2015-11-02T06:00:00Z')).toBe(25);
    // The two HE02 of 2015-11-01 are 06:00 (CDT) and 07:00 UTC (CST, flag Y).
    const fallBack = r!.rows.filter((x) => x.product === 'RRS' && ['2015-11-01T06:00:00.000Z', '2015-11-01T07:00:00.000Z'].includes(x.interval_start.toISOString()));
    expect(fallBack.map((x) => x.price_usd_per_mw)).toEqual([expect.any(Number), 18.45]);
    const starts = [...new Set(r!.rows.map((x) => x.interval_start.getTime()))].sort((a, b) => a - b);
    expect(starts).toHaveLength(8760);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(3_600_000);
    for (const x of r!.rows) expect(x.interval_end.getTime() - x.interval_start.getTime()).toBe(3_600_000);
  });

  it('SPP DA-MCP: per reserve zone, UTC interval ends, Ramp products when present, 23-hour spring-forward day', () => {
    const [feb] = parseAncillaryPriceFile(read('market-data/spp/DA-MCP-202202010100.csv'));
    expect(feb!.format).toBe('spp_da_mcp');
    expect(feb!.rejections).toEqual([]);
    expect(new Set(feb!.rows.map((x) => x.product))).toEqual(new Set(['RegUP', 'RegDN', 'Spin', 'Supp']));
    expect(new Set(feb!.rows.map((x) => x.zone))).toEqual(new Set(['1', '2', '3', '4', '5', 'SPP']));
    expect(feb!.rows).toHaveLength(144 * 4);
    const z1 = feb!.rows.find((x) => x.zone === '1' && x.product === 'RegDN')!;
    expect(z1.interval_end.toISOString()).toBe('2022-02-01T07:00:00.000Z');
    expect(z1.interval_start.toISOString()).toBe('2022-02-01T06:00:00.000Z');
    expect(z1.price_usd_per_mw).toBeCloseTo(9.9886, 9);
    const [dst] = parseAncillaryPriceFile(read('market-data/spp/DA-MCP-202203130100.csv'));
    expect(dst!.rejections).toEqual([]);
    expect(new Set(dst!.rows.map((x) => x.product))).toEqual(new Set(['RegUP', 'RegDN', 'Spin', 'Supp', 'RampUP', 'RampDN']));
    expect(new Set(dst!.rows.filter((x) => x.zone === 'SPP').map((x) => x.interval_start.getTime())).size).toBe(23);
  });

  it('rejects a bad line with its number and refuses an unknown file', () => {
    const text = 'Delivery Date,Hour Ending,Repeated Hour Flag,REGDN,REGUP \n01/01/2015,01:00,N,2,x\n03/08/2015,03:00,N,1,1\n';
    const [r] = parseAncillaryPriceFile({ name: 'as.csv', data: new TextEncoder().encode(text) });
    expect(r!.rows.map((x) => x.product)).toEqual(['REGDN']);
    expect(r!.rejections.map((x) => x.line)).toEqual([2, 3]);
    expect(() => parseAncillaryPriceFile({ name: 'x.csv', data: new TextEncoder().encode('a,b\n1,2\n') })).toThrow(/not an ancillary-service price file/);
  });
});
