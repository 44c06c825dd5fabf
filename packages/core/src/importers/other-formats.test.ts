import { gzipSync, strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { find, fixture, intervalsPerLocalDay, parseFixture, uniqueKeys } from '../../test-fixtures/market-data/load.js';
import { SUPPORTED_FORMATS } from './detect.js';
import { detectFormat, parsePriceFile, parsePriceText, UnsupportedPriceFormatError } from './parse-file.js';

describe('EIA wholesale market files', () => {
  it('MISO hourly: maps hub names, derives energy, EST days of 24 hours', () => {
    const r = parseFixture('eia/miso_lmp_rt_hr_hubs_2022_cut.csv.gz');
    expect(r.format).toBe('eia_wholesale_lmp');
    expect(r.rows).toHaveLength(48 * 8);
    expect(r.rejections).toEqual([]);
    expect(new Set(r.rows.map((x) => x.location))).toEqual(
      new Set(['ARKANSAS.HUB', 'ILLINOIS.HUB', 'INDIANA.HUB', 'LOUISIANA.HUB', 'MICHIGAN.HUB', 'MINN.HUB', 'MS.HUB', 'TEXAS.HUB']),
    );
    expect(intervalsPerLocalDay(r.rows, 'INDIANA.HUB', 'Etc/GMT+5')).toEqual({ '2022-11-05': 24, '2022-11-06': 24 });
    expect(r.rows.every((x) => x.market === 'MISO' && x.run === 'RTH')).toBe(true);
    // Energy is system-wide: equal across hubs within rounding.
    const t = r.rows[0]!.interval_start.getTime();
    const e = r.rows.filter((x) => x.interval_start.getTime() === t).map((x) => x.energy_usd_per_mwh!);
    expect(Math.max(...e) - Math.min(...e)).toBeLessThanOrEqual(0.0301);
  });
  it('NYISO hourly: 11 zones, 25 hours on the fall-back day, congestion flipped', () => {
    const r = parseFixture('eia/nyiso_lmp_rt_hr_zones_2022_cut.csv.gz');
    expect(r.rows).toHaveLength(25 * 11);
    expect(uniqueKeys(r.rows)).toBe(275);
    expect(intervalsPerLocalDay(r.rows, 'N.Y.C.', 'America/New_York')).toEqual({ '2022-11-06': 25 });
    const t = r.rows[0]!.interval_start.getTime();
    const e = r.rows.filter((x) => x.interval_start.getTime() === t).map((x) => x.energy_usd_per_mwh!);
    expect(Math.max(...e) - Math.min(...e)).toBeLessThanOrEqual(0.0301);
  });
  it('ISO-NE hourly internal hub: 23 hours on the spring-forward day', () => {
    const r = parseFixture('eia/isone_lmp_rt_hr_hubs_2022_cut.csv.gz');
    expect(r.rows).toHaveLength(23);
    expect(intervalsPerLocalDay(r.rows, '.H.INTERNAL_HUB', 'America/New_York')).toEqual({ '2022-03-13': 23 });
  });
  it('CAISO and ERCOT 15-minute: 100 intervals on the fall-back day', () => {
    const c = parseFixture('eia/caiso_lmp_rt_15min_zones_2022Q4_cut.csv.gz');
    expect(c.rows).toHaveLength(300);
    expect(intervalsPerLocalDay(c.rows, 'TH_SP15_GEN-APND', 'America/Los_Angeles')).toEqual({ '2022-11-06': 100 });
    expect(c.rows.every((x) => x.run === 'RT15')).toBe(true);
    const e = parseFixture('eia/ercot_lmp_rt_15min_hubs_2023Q4_cut.csv.gz');
    expect(e.rows).toHaveLength(700);
    expect(intervalsPerLocalDay(e.rows, 'HB_PAN', 'America/Chicago')).toEqual({ '2023-11-05': 100 });
    expect(e.rows[0]!.congestion_usd_per_mwh).toBeNull();
  });
  it('SPP 5-minute: 276 intervals on the spring-forward day; PJM 5-minute with the AEP-Dayton alias', () => {
    const s = parseFixture('eia/spp_lmp_rt_5min_hubs_2022Q1_cut.csv.gz');
    expect(s.rows).toHaveLength(552);
    expect(intervalsPerLocalDay(s.rows, 'SPPNORTH_HUB', 'America/Chicago')).toEqual({ '2022-03-13': 276 });
    expect(s.rows.every((x) => x.run === 'RT5')).toBe(true);
    const p = parseFixture('eia/pjm_lmp_rt_5min_hubs_2023Q3_cut.csv.gz');
    expect(p.rows).toHaveLength(72 * 12);
    const dayton = find(p.rows, 'AEP-DAYTON HUB', '2023-07-01T04:00:00.000Z')!;
    expect(dayton.lmp_usd_per_mwh).toBeCloseTo(29.570617, 9);
    expect(dayton.interval_end.toISOString()).toBe('2023-07-01T04:05:00.000Z');
  });
  it('rejects unknown EIA locations at the header and keeps the rest', () => {
    const text = [
      'T', 'x', 'Source: EIA collected from SPP',
      'UTC Timestamp (Interval Ending),Local Timestamp Central Time (Interval Beginning),Local Timestamp Central Time (Interval Ending),Local Date,Hour Number,North Hub LMP,Mars Hub LMP',
      '2022-01-01 06:05:00,2022-01-01 00:00:00,2022-01-01 00:05:00,2022-01-01,1,7.1,3',
      '2022-01-01 06:10:00,2022-01-01 00:05:00,2022-01-01 00:10:00,2022-01-01,1,oops,3',
    ].join('\n');
    const r = parsePriceText(text, 'spp.csv');
    expect(r.rows).toHaveLength(1);
    expect(r.rejections).toEqual([
      { line: 4, reason: expect.stringContaining('Mars Hub') },
      { line: 6, reason: 'North Hub: bad LMP' },
    ]);
  });
});

describe('epftoolbox', () => {
  it('needs a market and location', () => {
    const r = parseFixture('epftoolbox/NP_first_2_days.csv.gz');
    expect(r.format).toBe('epftoolbox');
    expect(r.rows).toEqual([]);
    expect(r.rejections[0]!.reason).toMatch(/pass market and location/);
  });
  it('maps PJM COMED to the caller market: 23 and 25 hours on DST days', () => {
    const r = parseFixture('epftoolbox/PJM_COMED_2016_dst_days.csv.gz', { market: 'PJM', location: 'COMED' });
    // 48 rows: the interpolated 02:00 on 2016-03-13 is rejected; the averaged 01:00 on
    // 2016-11-06 is stored for both real hours.
    expect(r.rows).toHaveLength(48);
    expect(r.rejections).toEqual([{ line: 4, reason: expect.stringMatching(/spring-forward gap.*interpolated/) }]);
    expect(intervalsPerLocalDay(r.rows, 'COMED', 'America/New_York')).toEqual({ '2016-03-13': 23, '2016-11-06': 25 });
    expect(r.rows[0]).toMatchObject({ market: 'PJM', location: 'COMED', run: 'DA', lmp_usd_per_mwh: expect.any(Number) });
  });
});

describe('detection, containers and bad input', () => {
  it('detects every fixture format from content alone', () => {
    const cases: [string, string][] = [
      ['pjm/da_hrl_lmps_2025-05-01_02.csv.gz', 'pjm_hrl_lmps'],
      ['nyiso/20190501damlbmp_zone.csv.gz', 'nyiso_lbmp_zone'],
      ['ercot/NP4-180-ER_DAMLZHBSPP_2015_cut.zip', 'ercot_dam_spp_yearly'],
      ['ercot/DAMSPNP4190_20151101_derived.csv.gz', 'ercot_dam_spp'],
      ['ercot/NP6-905-CD_20231105_derived.csv.gz', 'ercot_rt_spp'],
      ['spp/DA-LMP-SL_hubs_2022-03-12_14.csv.gz', 'spp_lmp_sl'],
      ['caiso/PRC_LMP_DAM_TH_SP15_20250801_02_derived.zip', 'caiso_oasis_lmp'],
      ['caiso/gridstatus_caiso_2025-08-25T00_cut.csv.gz', 'gridstatus_lmp'],
      ['miso/20221106_da_expost_lmp_derived.csv.gz', 'miso_expost_lmp'],
      ['isone/WW_DALMP_ISO_20221106_derived.csv.gz', 'isone_hourly_lmp'],
      ['eia/miso_lmp_rt_hr_hubs_2022_cut.csv.gz', 'eia_wholesale_lmp'],
      ['epftoolbox/NP_first_2_days.csv.gz', 'epftoolbox'],
    ];
    for (const [rel, id] of cases) expect([rel, detectFormat(fixture(rel).data)]).toEqual([rel, id]);
    expect(new Set(cases.map((c) => c[1]))).toEqual(new Set(SUPPORTED_FORMATS.map((f) => f.id)));
  });
  it('refuses an unknown format naming the formats we read', () => {
    const f = { name: 'notes.txt', data: strToU8('hello,world\n1,2\n') };
    expect(() => parsePriceFile(f)).toThrow(UnsupportedPriceFormatError);
    expect(() => parsePriceFile(f)).toThrow(/notes\.txt.*pjm_hrl_lmps.*gridstatus_lmp/s);
  });
  it('keeps good lines when some are bad, with line numbers', () => {
    const text = [
      'Time Stamp,Name,PTID,LBMP ($/MWHr),Marginal Cost Losses ($/MWHr),Marginal Cost Congestion ($/MWHr)',
      '05/01/2019 00:00,CAPITL,61757,20.43,0.93,-4.04',
      '05/01/2019 01:00,CAPITL,61757,n/a,0.93,-4.04',
      '13/45/2019 01:00,CAPITL,61757,20,0,0',
      '03/08/2020 02:00,CAPITL,61757,20,0,0',
      '05/01/2019 02:00,CAPITL,61757,19.5,0.9,0',
    ].join('\r\n');
    const [r] = parsePriceFile({ name: 'x.csv.gz', data: gzipSync(strToU8(text)) });
    expect(r!.file).toBe('x.csv');
    expect(r!.rows).toHaveLength(2);
    expect(r!.rejections.map((x) => x.line)).toEqual([3, 4, 5]);
    expect(r!.rejections[2]!.reason).toMatch(/does not exist/);
  });
  it('opens every member of a zip and reports each file', () => {
    const a = strToU8('Interval,GMTIntervalEnd,Settlement Location,Pnode,LMP,MLC,MCC,MEC\n02/01/2022 01:00:00,02/01/2022 07:00:00,SPPNORTH_HUB,SPPNORTH_H,-12.5266,0.0952,-11.2655,-1.3563\n');
    const b = strToU8('<?xml version="1.0"?><OASISReport><ERR_CODE>1000</ERR_CODE></OASISReport>');
    const res = parsePriceFile({ name: 'batch.zip', data: zipSync({ 'DA-LMP-SL-202202010100.csv': a, 'empty.xml': b }) });
    expect(res.map((r) => [r.file, r.format, r.rows.length, r.rejections.length])).toEqual([
      ['batch.zip/DA-LMP-SL-202202010100.csv', 'spp_lmp_sl', 1, 0],
      ['batch.zip/empty.xml', 'caiso_oasis_lmp', 0, 1],
    ]);
    expect(res[0]!.rows[0]!.interval_start.toISOString()).toBe('2022-02-01T06:00:00.000Z');
  });
  it('honours a format override', () => {
    const r = parsePriceText('Date,Price\n2016-01-01 00:00:00,20\n', 'comed.csv', { format: 'epftoolbox', market: 'PJM', location: 'COMED' });
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.interval_start.toISOString()).toBe('2016-01-01T05:00:00.000Z');
  });
});
