import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dayAheadGateClosure } from '../../markets/gate-closure.js';
import { DA_PUBLICATION, dayAheadPublicationTime } from '../../markets/publication.js';
import { ISO_IDS } from '../../markets/types.js';
import { parseLoadForecastFile } from './parse.js';

const dir = fileURLToPath(new URL('../../../test-fixtures/eia930/', import.meta.url));
const load = (name: string) => parseLoadForecastFile({ name, data: new Uint8Array(readFileSync(dir + name)) });

describe('EIA-930 demand forecast importer', () => {
  it('reads NYISO hour-ending UTC rows as hour-beginning intervals with the forecast column', () => {
    const r = load('NYIS_cut.csv.gz');
    expect(r.format).toBe('eia930_demand');
    const row = r.rows.find((x) => x.interval_end.toISOString() === '2019-11-03T05:00:00.000Z')!;
    expect(row.market).toBe('NYISO');
    expect(row.area).toBe('NYIS');
    expect(row.interval_start.toISOString()).toBe('2019-11-03T04:00:00.000Z');
    expect(row.load_forecast_mw).toBe(13373);
    // 2019-11-03 04:00Z is 00:00 EDT of 2019-11-03, so the day's forecast is assumed known at 04:00 EDT on 11-02 (NYISO: an hour before its 05:00 gate).
    expect(row.published_at.toISOString()).toBe('2019-11-02T08:00:00.000Z');
  });

  it('treats 0 and MISSING forecasts as missing, never as zero MW', () => {
    const ny = load('NYIS_cut.csv.gz');
    // 2015-07-02 (24 zero hours at the file start) and 18 zero hours on 2019-08-20… of 120 lines, 23 are 0.
    expect(ny.rejections).toHaveLength(23);
    expect(ny.rows).toHaveLength(120 - 23);
    expect(ny.rows.every((x) => x.load_forecast_mw > 0)).toBe(true);
    expect(ny.rejections[0]).toEqual({ line: 2, reason: 'forecast missing (0)' });
    const er = load('ERCO_cut.csv.gz');
    expect(er.rejections).toHaveLength(24);
    expect(er.rejections.every((x) => x.reason === 'forecast missing (MISSING)')).toBe(true);
    expect(er.rows.some((x) => x.interval_end.toISOString().startsWith('2018-11-12'))).toBe(false);
  });

  it('keeps both hours of the fall-back night as distinct UTC intervals', () => {
    const er = load('ERCO_cut.csv.gz');
    const starts = er.rows.map((x) => x.interval_start.getTime());
    expect(new Set(starts).size).toBe(starts.length);
    // Central 2015-11-01 has 25 hours: 05:00Z to 06:00Z on 11-02.
    const day = er.rows.filter((x) => x.interval_start >= new Date('2015-11-01T05:00:00Z') && x.interval_start < new Date('2015-11-02T06:00:00Z'));
    expect(day).toHaveLength(25);
  });

  it('refuses a file it does not know, naming the format it reads', () => {
    expect(() => parseLoadForecastFile({ name: 'x.csv', data: new TextEncoder().encode('a,b\n1,2\n') })).toThrow(/EIA-930/);
    expect(() => parseLoadForecastFile({ name: 'XYZ.csv', data: new TextEncoder().encode('date_time,forecast demand (MW)\n2019-01-01 01:00:00,5\n') })).toThrow(/ISO/);
  });
});

describe('day-ahead publication times', () => {
  it('has a sourced time for every ISO that falls after its gate closure', () => {
    for (const iso of ISO_IDS) {
      expect(DA_PUBLICATION[iso].source.length).toBeGreaterThan(10);
      const day = '2024-07-10';
      expect(dayAheadPublicationTime(iso, day).getTime()).toBeGreaterThan(dayAheadGateClosure(iso, day).getTime());
    }
  });

  it('reads each in its own clock (PJM 13:30 EDT, MISO 13:30 EST all year)', () => {
    expect(dayAheadPublicationTime('PJM', '2024-07-10').toISOString()).toBe('2024-07-09T17:30:00.000Z');
    expect(dayAheadPublicationTime('MISO', '2024-07-10').toISOString()).toBe('2024-07-09T18:30:00.000Z');
    expect(dayAheadPublicationTime('CAISO', '2024-01-10').toISOString()).toBe('2024-01-09T21:00:00.000Z');
  });
});
