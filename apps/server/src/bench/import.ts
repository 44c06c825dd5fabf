/**
 * Importer throughput: parse real demo files (decompression included) repeatedly and report
 * rows per second per format. Pure parsing; the database part of the import bench is
 * measured elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePriceFile } from '@optibid/core';

const DEMO_DIR = fileURLToPath(new URL('../../demo-data/', import.meta.url));

const CASES: { label: string; file: string }[] = [
  { label: 'pjm_hrl_lmps', file: 'pjm_da_hrl_lmps_western_hub_2025-05-01_08-01.csv.gz' },
  { label: 'gridstatus_lmp (CAISO RT5)', file: 'caiso_rt_th_sp15_2025-08_gridstatus.csv.gz' },
  { label: 'eia_wholesale_lmp (MISO, 8 hubs)', file: 'eia_miso_lmp_rt_hr_hubs_2024-10-07_12-05.csv.gz' },
  { label: 'nyiso_lbmp_zone', file: 'nyiso_damlbmp_zone_nyc_2019-05-01_2020-04-30.csv.gz' },
  { label: 'ercot_dam_spp_yearly (CSV)', file: 'ercot_dam_hb_houston_2015.csv.gz' },
  { label: 'spp_lmp_sl', file: 'spp_da_lmp_sl_hubs_2022-02_03.csv.gz' },
];

/** Rows per second for each format, timing repeated parses for at least `minMs` each. */
export async function benchParsers(minMs = 400): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of CASES) {
    const p = path.join(DEMO_DIR, c.file);
    if (!fs.existsSync(p)) continue;
    const data = new Uint8Array(fs.readFileSync(p));
    // Warm-up also fills the timezone caches, as a long import would.
    parsePriceFile({ name: c.file, data });
    let rows = 0;
    const t0 = performance.now();
    let elapsed: number;
    do {
      for (const r of parsePriceFile({ name: c.file, data })) rows += r.rows.length;
      elapsed = performance.now() - t0;
    } while (elapsed < minMs);
    out[c.label] = Math.round(rows / (elapsed / 1000));
  }
  return out;
}
