import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CliUsageError } from './args.js';
import { priceDatasetWithExogenous, readPriceSeries } from './price-data.js';

const FIX = fileURLToPath(new URL('../../../../packages/core/test-fixtures/', import.meta.url));

describe('CLI price data from importer formats', () => {
  it('reads several files, picks the location and run, and refuses ambiguity', () => {
    const s = readPriceSeries([`${FIX}market-data/pjm/da_hrl_lmps_2025-05-01_02.csv.gz`], { location: 'WESTERN HUB' });
    expect(s).toMatchObject({ market: 'PJM', location: 'WESTERN HUB', run: 'DA', files: 1 });
    expect(s.rows).toHaveLength(48);
    expect(() => readPriceSeries([`${FIX}market-data/pjm/da_hrl_lmps_2025-05-01_02.csv.gz`], {})).toThrow(/12 locations: pick one with --location/);
    const ny = readPriceSeries([`${FIX}market-data/nyiso`], { location: 'N.Y.C.' });
    // The folder holds three DA days and three derived real-time files (the feed tests' fixtures); all six are read.
    expect(ny.files).toBe(6);
    expect(ny.run).toBe('DA');
    expect(ny.rows).toHaveLength(24 + 25 + 23);
    expect(() => readPriceSeries([`${FIX}nope`], {})).toThrow(CliUsageError);
  });

  it('aligns an EIA-930 forecast on the price hours, filling a missing hour from an earlier day, never with 0', () => {
    const s = readPriceSeries([`${FIX}market-data/ercot/DAMLZHBSPP_2015_cut.csv.gz`], { location: 'HB_HOUSTON' });
    const { dataset, filled_hours } = priceDatasetWithExogenous(s, [`${FIX}eia930/ERCO_cut.csv.gz`]);
    // The forecast covers hours ending 2015-11-01 00:00Z … 11-02 23:00Z: Central 11-01 whole (25 h, the repeated hour
    // averaged) and 11-02 only up to 16:00, so that partial last day is dropped.
    expect(dataset.dates).toEqual(['2015-11-01']);
    expect(dataset.exogenous_names).toEqual(['ERCO_cut forecast demand (MW)']);
    // Central 2015-11-01 00:00 CDT = 05:00Z, the hour ending 06:00Z.
    expect(dataset.exogenous[0]![0]).toBe(29026);
    expect(filled_hours).toBe(0);
    expect([...dataset.exogenous[0]!].every((v) => v > 0)).toBe(true);
  });

  it('refuses sub-hourly prices and files without a forecast column', () => {
    const s = readPriceSeries([`${FIX}market-data/ercot/DAMLZHBSPP_2015_cut.csv.gz`], { location: 'HB_HOUSTON' });
    expect(() => priceDatasetWithExogenous(s, [`${FIX}market-data/pjm/da_hrl_lmps_2025-05-01_02.csv.gz`])).toThrow(/unknown load-forecast format/);
    expect(() => priceDatasetWithExogenous(s, [`${FIX}eia930/ERCO_cut.csv.gz:no such column`])).toThrow(/expected columns "date_time" and "no such column"/);
  });
});
