/**
 * Demo ancillary-service prices: the real AS price files in `demo-data/as-prices/`
 * (ERCOT NP4-181-ER), read by the same parsers as an upload, shifted forward by whole
 * weeks exactly as the energy history is (`weeklyShiftDays` from the file's newest day,
 * so a file covering the same days as its market's energy file moves with it), day-ahead
 * intervals after tomorrow dropped. Chosen once and stored: later starts change nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAncillaryPriceFile } from '@optibid/core';
import type { Services } from '../services.js';
import { DEMO_DATA_DIR, demoShiftOf, listDemoFiles } from './history.js';

export const DEMO_AS_DIR = path.join(DEMO_DATA_DIR, 'as-prices');
const SETTING = 'demo_ancillary_history';

interface DemoAncillaryState {
  seeded_at: string;
  files: { file: string; shift_days: number; rows: number }[];
}

export async function seedDemoAncillaryPrices(ctx: Services, now = new Date(), dir = DEMO_AS_DIR): Promise<DemoAncillaryState | { skipped: string }> {
  const existing = await ctx.repos.settings.get<DemoAncillaryState>(SETTING);
  if (existing) return { skipped: `already seeded at ${existing.seeded_at}` };
  if (!fs.existsSync(dir)) return { skipped: `no ${path.basename(dir)} folder in the demo data` };
  const state: DemoAncillaryState = { seeded_at: now.toISOString(), files: [] };
  for (const file of listDemoFiles(dir)) {
    const rows = parseAncillaryPriceFile({ name: file, data: new Uint8Array(fs.readFileSync(path.join(dir, file))) }).flatMap((r) => r.rows);
    if (rows.length === 0) continue;
    const { shiftDays, shiftMs, endOfTomorrowMs: endOfTomorrow } = demoShiftOf(rows, ctx.markets.market(rows[0]!.market).timezone, now);
    const shifted = rows
      .map((r) => ({ ...r, interval_start: new Date(r.interval_start.getTime() + shiftMs), interval_end: new Date(r.interval_end.getTime() + shiftMs), source: `demo-shifted:${file}:+${shiftDays}d` }))
      .filter((r) => r.interval_end.getTime() <= endOfTomorrow);
    await ctx.repos.ancillaryPrices.upsert(shifted);
    state.files.push({ file, shift_days: shiftDays, rows: shifted.length });
  }
  await ctx.repos.settings.set(SETTING, state);
  return state;
}
