/**
 * Demo market history: real ISO price files shipped in apps/server/demo-data,
 * imported with the same parsers as any upload, then shifted forward by whole
 * weeks (so weekday patterns stay on their weekdays) until the newest day is
 * tomorrow or later; intervals after tomorrow (DA) or after now (RT) are dropped.
 * The shift is chosen once, at the first seed, and stored: later starts change
 * nothing. Sources say `demo-shifted:<file>:+<days>d`; the original timestamps
 * are in the files themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDaysYmd, daysBetweenYmd, localDateOf, localDayBoundsUtc, parsePriceFile, type NormalizedPriceRow, type PriceParseOptions } from '@optibid/core';
import type { Services } from '../services.js';

export const DEMO_DATA_DIR = fileURLToPath(new URL('../../demo-data/', import.meta.url));
export const DEMO_HISTORY_SETTING = 'demo_history';

export interface DemoHistoryState {
  seeded_at: string;
  files: { file: string; shift_days: number; rows: number; market?: string; runs?: string[] }[];
}

/** Files that do not say their market and location (the epftoolbox layout), by name prefix. */
const FILE_OPTIONS: readonly { prefix: string; options: PriceParseOptions }[] = [{ prefix: 'epftoolbox_pjm_comed_', options: { market: 'PJM', location: 'COMED' } }];

export function demoFileOptions(file: string): PriceParseOptions {
  return FILE_OPTIONS.find((o) => file.startsWith(o.prefix))?.options ?? {};
}

/** The price files; sub-folders (load forecasts, AS prices) are read by their own steps. */
export function listDemoFiles(dir = DEMO_DATA_DIR): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !/^readme/i.test(e.name) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** Shift (days, a multiple of 7) that moves `newestDay` to tomorrow or up to six days later. */
export function weeklyShiftDays(newestDay: string, today: string): number {
  const gap = daysBetweenYmd(newestDay, addDaysYmd(today, 1));
  return gap <= 0 ? 0 : Math.ceil(gap / 7) * 7;
}

/**
 * How a demo file's rows move to the present: by whole weeks (`weeklyShiftDays`) from its newest
 * day in the market's clock, and the end of tomorrow there (nothing is kept past it).
 */
export function demoShiftOf(rows: readonly { interval_start: Date }[], tz: string, now: Date): { shiftDays: number; shiftMs: number; endOfTomorrowMs: number } {
  const newest = rows.reduce((a, r) => (r.interval_start > a ? r.interval_start : a), rows[0]!.interval_start);
  const today = localDateOf(now, tz);
  const shiftDays = weeklyShiftDays(localDateOf(newest, tz), today);
  return { shiftDays, shiftMs: shiftDays * 86_400_000, endOfTomorrowMs: localDayBoundsUtc(addDaysYmd(today, 1), tz).end.getTime() };
}

export async function seedDemoHistory(ctx: Services, now = new Date(), dir = DEMO_DATA_DIR): Promise<DemoHistoryState | { skipped: string }> {
  const existing = await ctx.repos.settings.get<DemoHistoryState>(DEMO_HISTORY_SETTING);
  if (existing) return { skipped: `already seeded at ${existing.seeded_at}` };
  const state: DemoHistoryState = { seeded_at: now.toISOString(), files: [] };
  for (const file of listDemoFiles(dir)) {
    const data = new Uint8Array(fs.readFileSync(path.join(dir, file)));
    const rows: NormalizedPriceRow[] = parsePriceFile({ name: file, data }, demoFileOptions(file)).flatMap((r) => r.rows);
    if (rows.length === 0) continue;
    const { shiftDays, shiftMs, endOfTomorrowMs: endOfTomorrow } = demoShiftOf(rows, ctx.markets.market(rows[0]!.market).timezone, now);
    const shifted = rows
      .map((r) => ({
        ...r,
        interval_start: new Date(r.interval_start.getTime() + shiftMs),
        interval_end: new Date(r.interval_end.getTime() + shiftMs),
        source: `demo-shifted:${file}:+${shiftDays}d`,
      }))
      .filter((r) => (r.run === 'DA' ? r.interval_end.getTime() <= endOfTomorrow : r.interval_end.getTime() <= now.getTime()));
    await ctx.repos.prices.upsert(shifted);
    state.files.push({ file, shift_days: shiftDays, rows: shifted.length, market: rows[0]!.market, runs: [...new Set(rows.map((r) => r.run))].sort() });
  }
  await ctx.repos.settings.set(DEMO_HISTORY_SETTING, state);
  return state;
}
