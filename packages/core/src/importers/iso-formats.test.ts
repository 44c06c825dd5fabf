import { describe, expect, it } from 'vitest';
import { find, intervalsPerLocalDay, parseFixture, uniqueKeys } from '../../test-fixtures/market-data/load.js';

const NY = 'America/New_York';
const CHI = 'America/Chicago';
const LA = 'America/Los_Angeles';

describe('PJM Data Miner hrl_lmps', () => {
  it('reads DA rows with components and maps pnode 51288 to WESTERN HUB', () => {
    const r = parseFixture('pjm/da_hrl_lmps_2025-05-01_02.csv.gz');
    expect(r.format).toBe('pjm_hrl_lmps');
    expect(r.rows).toHaveLength(576);
    expect(r.rejections).toEqual([]);
    expect(uniqueKeys(r.rows)).toBe(576);
    const first = find(r.rows, 'EASTERN HUB', '2025-05-01T04:00:00.000Z')!;
    expect(first.run).toBe('DA');
    expect(first.lmp_usd_per_mwh).toBeCloseTo(24.966949, 9);
    expect(first.energy_usd_per_mwh).toBeCloseTo(30.98, 9);
    expect(first.congestion_usd_per_mwh).toBeCloseTo(-6.094939, 9);
    expect(first.interval_end.toISOString()).toBe('2025-05-01T05:00:00.000Z');
    expect(intervalsPerLocalDay(r.rows, 'WESTERN HUB', NY)).toEqual({ '2025-05-01': 24, '2025-05-02': 24 });
    for (const row of r.rows) {
      expect(row.energy_usd_per_mwh! + row.congestion_usd_per_mwh! + row.loss_usd_per_mwh!).toBeCloseTo(row.lmp_usd_per_mwh, 4);
    }
  });
  it('reads RT hourly as RTH', () => {
    const r = parseFixture('pjm/rt_hrl_lmps_2025-05-01_02.csv.gz');
    expect(r.rows).toHaveLength(576);
    expect(new Set(r.rows.map((x) => x.run))).toEqual(new Set(['RTH']));
  });
});

describe('NYISO damlbmp_zone', () => {
  it('gives 25 hours on the fall-back day (repeated 01:00 = EDT then EST)', () => {
    const r = parseFixture('nyiso/20191103damlbmp_zone.csv.gz');
    expect(r.rows).toHaveLength(375);
    expect(r.rejections).toEqual([]);
    expect(uniqueKeys(r.rows)).toBe(375);
    expect(intervalsPerLocalDay(r.rows, 'N.Y.C.', NY)).toEqual({ '2019-11-03': 25 });
    expect(find(r.rows, 'N.Y.C.', '2019-11-03T05:00:00.000Z')).toBeDefined();
    expect(find(r.rows, 'N.Y.C.', '2019-11-03T06:00:00.000Z')).toBeDefined();
  });
  it('gives 23 hours on the spring-forward day', () => {
    const r = parseFixture('nyiso/20200308damlbmp_zone.csv.gz');
    expect(r.rows).toHaveLength(345);
    expect(intervalsPerLocalDay(r.rows, 'CAPITL', NY)).toEqual({ '2020-03-08': 23 });
  });
  it('flips the congestion sign to LMP = energy + congestion + loss', () => {
    const r = parseFixture('nyiso/20190501damlbmp_zone.csv.gz');
    expect(r.rows).toHaveLength(360);
    // File: 05/01/2019 00:00, CAPITL, 61757, LBMP 20.43, losses 0.93, congestion -4.04.
    const x = find(r.rows, 'CAPITL', '2019-05-01T04:00:00.000Z')!;
    expect(x.congestion_usd_per_mwh).toBeCloseTo(4.04, 9);
    expect(x.loss_usd_per_mwh).toBeCloseTo(0.93, 9);
    expect(x.energy_usd_per_mwh).toBeCloseTo(20.43 - 0.93 - 4.04, 9);
    // The system energy price is the same in every zone in the same hour.
    const energies = r.rows.filter((y) => y.interval_start.getTime() === x.interval_start.getTime()).map((y) => y.energy_usd_per_mwh!);
    // Published to the cent, so zones may differ by rounding (2 cents); unflipped they differ by 2×congestion.
    expect(Math.max(...energies) - Math.min(...energies)).toBeLessThanOrEqual(0.0201);
  });
});

describe('ERCOT DAM settlement point prices', () => {
  it('reads the NP4-180-ER workbook inside its zip, sheet by sheet', () => {
    const r = parseFixture('ercot/NP4-180-ER_DAMLZHBSPP_2015_cut.zip');
    expect(r.format).toBe('ercot_dam_spp_yearly');
    expect(r.rows).toHaveLength(2016);
    expect(r.rejections).toEqual([]);
    expect(uniqueKeys(r.rows)).toBe(2016);
    expect(intervalsPerLocalDay(r.rows, 'HB_HOUSTON', CHI)).toEqual({
      '2015-03-07': 24, '2015-03-08': 23, '2015-03-09': 24, '2015-10-31': 24, '2015-11-01': 25, '2015-11-02': 24,
    });
    // HE02 flagged Y is 01:00–02:00 CST = 07:00Z; the unflagged HE02 is 06:00Z (CDT).
    expect(find(r.rows, 'HB_HOUSTON', '2015-11-01T06:00:00.000Z')).toBeDefined();
    expect(find(r.rows, 'HB_HOUSTON', '2015-11-01T07:00:00.000Z')).toBeDefined();
  });
  it('reads the same rows from the derived CSV identically', () => {
    const x = parseFixture('ercot/NP4-180-ER_DAMLZHBSPP_2015_cut.zip');
    const c = parseFixture('ercot/DAMLZHBSPP_2015_cut.csv.gz');
    expect(c.format).toBe('ercot_dam_spp_yearly');
    const key = (r: (typeof c.rows)[number]) => `${r.location}|${r.interval_start.toISOString()}|${r.lmp_usd_per_mwh}`;
    expect(c.rows.map(key).sort()).toEqual(x.rows.map(key).sort());
  });
  it('reads NP4-190 daily files with DSTFlag', () => {
    const fb = parseFixture('ercot/DAMSPNP4190_20151101_derived.csv.gz');
    expect(fb.format).toBe('ercot_dam_spp');
    expect(fb.rows).toHaveLength(350);
    expect(intervalsPerLocalDay(fb.rows, 'LZ_WEST', CHI)).toEqual({ '2015-11-01': 25 });
    const sf = parseFixture('ercot/DAMSPNP4190_20150308_derived.csv.gz');
    expect(sf.rows).toHaveLength(322);
    expect(intervalsPerLocalDay(sf.rows, 'HB_NORTH', CHI)).toEqual({ '2015-03-08': 23 });
    expect(sf.rows.every((r) => r.energy_usd_per_mwh === null && r.run === 'DA')).toBe(true);
  });
  it('reads NP6-905 RT 15-minute prices with DSTFlag (100 intervals on the fall-back day)', () => {
    const r = parseFixture('ercot/NP6-905-CD_20231105_derived.csv.gz');
    expect(r.format).toBe('ercot_rt_spp');
    expect(r.rows).toHaveLength(700);
    expect(r.rejections).toEqual([]);
    expect(intervalsPerLocalDay(r.rows, 'HB_HOUSTON', CHI)).toEqual({ '2023-11-05': 100 });
    expect(r.rows[0]!.run).toBe('RT15');
    expect(r.rows[0]!.interval_end.getTime() - r.rows[0]!.interval_start.getTime()).toBe(900_000);
  });
});

describe('SPP DA-LMP-SL', () => {
  it('uses GMTIntervalEnd; 23 hours on 2022-03-13', () => {
    const r = parseFixture('spp/DA-LMP-SL_hubs_2022-03-12_14.csv.gz');
    expect(r.format).toBe('spp_lmp_sl');
    expect(r.rows).toHaveLength(142);
    expect(r.rejections).toEqual([]);
    expect(intervalsPerLocalDay(r.rows, 'SPPNORTH_HUB', CHI)).toEqual({ '2022-03-12': 24, '2022-03-13': 23, '2022-03-14': 24 });
    for (const x of r.rows) {
      expect(x.energy_usd_per_mwh! + x.congestion_usd_per_mwh! + x.loss_usd_per_mwh!).toBeCloseTo(x.lmp_usd_per_mwh, 3);
    }
  });
});

describe('CAISO', () => {
  it('reads an OASIS PRC_LMP zip (DAM)', () => {
    const r = parseFixture('caiso/PRC_LMP_DAM_TH_SP15_20250801_02_derived.zip');
    expect(r.format).toBe('caiso_oasis_lmp');
    expect(r.file).toBe('PRC_LMP_DAM_TH_SP15_20250801_02_derived.zip/20250801_20250803_PRC_LMP_DAM_LMP_v12.csv');
    expect(r.rows).toHaveLength(48);
    expect(intervalsPerLocalDay(r.rows, 'TH_SP15_GEN-APND', LA)).toEqual({ '2025-08-01': 24, '2025-08-02': 24 });
    expect(find(r.rows, 'TH_SP15_GEN-APND', '2025-08-01T07:00:00.000Z')?.run).toBe('DA');
  });
  it('reads PRC_INTVL_LMP (RTM, 5-minute, VALUE column)', () => {
    const r = parseFixture('caiso/PRC_INTVL_LMP_RTM_TH_SP15_20250801_derived.csv.gz');
    expect(r.rows).toHaveLength(288);
    expect(r.rows.every((x) => x.run === 'RT5')).toBe(true);
  });
  it('pivots PRC_RTPD_LMP components; 100 intervals on the fall-back day', () => {
    const r = parseFixture('caiso/PRC_RTPD_LMP_hubs_20221106_derived.csv.gz');
    expect(r.rows).toHaveLength(300);
    expect(r.rejections).toEqual([]);
    expect(intervalsPerLocalDay(r.rows, 'TH_NP15_GEN-APND', LA)).toEqual({ '2022-11-06': 100 });
    for (const x of r.rows) {
      expect(x.run).toBe('RT15');
      expect(x.energy_usd_per_mwh! + x.congestion_usd_per_mwh! + x.loss_usd_per_mwh!).toBeCloseTo(x.lmp_usd_per_mwh, 3);
    }
  });
  it('reads the tidy gridstatus file, inferring CAISO from the name', () => {
    const r = parseFixture('caiso/gridstatus_caiso_2025-08-25T00_cut.csv.gz');
    expect(r.format).toBe('gridstatus_lmp');
    expect(r.rows).toHaveLength(204);
    const sce = find(r.rows, 'DLAP_SCE-APND', '2025-08-25T00:00:00.000Z')!;
    expect(sce).toMatchObject({ market: 'CAISO', run: 'DA', lmp_usd_per_mwh: 62.23545, congestion_usd_per_mwh: 0.58533 });
  });
});

describe('MISO da_expost_lmp (fixed EST)', () => {
  it('has 24 hours on the US fall-back and spring-forward dates', () => {
    for (const d of ['20221106', '20220313']) {
      const r = parseFixture(`miso/${d}_da_expost_lmp_derived.csv.gz`);
      expect(r.format).toBe('miso_expost_lmp');
      expect(r.rows).toHaveLength(8 * 24);
      expect(r.rejections).toEqual([]);
      expect(intervalsPerLocalDay(r.rows, 'INDIANA.HUB', 'Etc/GMT+5')).toEqual({ [`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`]: 24 });
    }
    const r = parseFixture('miso/20221106_da_expost_lmp_derived.csv.gz');
    // HE 1 in EST starts at 05:00Z whatever the season.
    expect(find(r.rows, 'MINN.HUB', '2022-11-06T05:00:00.000Z')).toBeDefined();
    const x = r.rows[0]!;
    expect(x.energy_usd_per_mwh! + x.congestion_usd_per_mwh! + x.loss_usd_per_mwh!).toBeCloseTo(x.lmp_usd_per_mwh, 9);
  });
});

describe('ISO-NE WW_DALMP_ISO', () => {
  it('reads 02X as the repeated hour and skips the missing 03', () => {
    const fb = parseFixture('isone/WW_DALMP_ISO_20221106_derived.csv.gz');
    expect(fb.format).toBe('isone_hourly_lmp');
    expect(fb.rows).toHaveLength(25);
    expect(fb.rejections).toEqual([]);
    expect(intervalsPerLocalDay(fb.rows, '.H.INTERNAL_HUB', NY)).toEqual({ '2022-11-06': 25 });
    expect(find(fb.rows, '.H.INTERNAL_HUB', '2022-11-06T06:00:00.000Z')).toBeDefined();
    const sf = parseFixture('isone/WW_DALMP_ISO_20220313_derived.csv.gz');
    expect(intervalsPerLocalDay(sf.rows, '.H.INTERNAL_HUB', NY)).toEqual({ '2022-03-13': 23 });
  });
});
