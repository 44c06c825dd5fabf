/**
 * Demo load forecasts: the ISOs' EIA-930 day-ahead demand forecasts shipped in
 * demo-data/load-forecasts, shifted by the same whole weeks as the same
 * market's day-ahead price file (read from the history seed's stored state), so
 * every demo price day keeps its own day's forecast, published (as assumed for
 * EIA-930) at 06:00 market time the day before. Hours after tomorrow are
 * dropped, as for DA prices. Done once; a second seed changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { addDaysYmd, localDateOf, localDayBoundsUtc, parseEia930DemandForecast } from '@optibid/core';
import type { Services } from '../services.js';
import { DEMO_DATA_DIR, DEMO_HISTORY_SETTING, type DemoHistoryState } from './history.js';

const SETTING = 'demo_load_forecasts';
const DAY_MS = 86_400_000;

export interface DemoLoadForecastsState {
  seeded_at: string;
  files: { file: string; market: string; shift_days: number; rows: number; missing_hours: number }[];
  skipped: { file: string; reason: string }[];
}

export async function seedDemoLoadForecasts(ctx: Services, now = new Date(), dir = path.join(DEMO_DATA_DIR, 'load-forecasts')): Promise<DemoLoadForecastsState | { skipped: string }> {
  const existing = await ctx.repos.settings.get<DemoLoadForecastsState>(SETTING);
  if (existing) return { skipped: `already seeded at ${existing.seeded_at}` };
  const history = await ctx.repos.settings.get<DemoHistoryState>(DEMO_HISTORY_SETTING);
  const state: DemoLoadForecastsState = { seeded_at: now.toISOString(), files: [], skipped: [] };
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.csv(\.gz)?$/.test(f)).sort() : [];
  for (const file of files) {
    let bytes = fs.readFileSync(path.join(dir, file));
    if (file.endsWith('.gz')) bytes = gunzipSync(bytes);
    const parsed = parseEia930DemandForecast(bytes.toString('utf8'), file);
    const market = parsed.rows[0]?.market;
    const priceFile = history?.files.find((f) => f.market === market && f.runs?.includes('DA'));
    if (!market || !priceFile) {
      state.skipped.push({ file, reason: market ? `no ${market} day-ahead price file was seeded to take the shift from` : 'no forecast hours in the file' });
      continue;
    }
    const tz = ctx.markets.market(market).timezone;
    const endOfTomorrow = localDayBoundsUtc(addDaysYmd(localDateOf(now, tz), 1), tz).end.getTime();
    const shiftMs = priceFile.shift_days * DAY_MS;
    const rows = parsed.rows
      .map((r) => ({
        ...r,
        interval_start: new Date(r.interval_start.getTime() + shiftMs),
        interval_end: new Date(r.interval_end.getTime() + shiftMs),
        published_at: new Date(r.published_at.getTime() + shiftMs),
        source: `demo-shifted:${file}:+${priceFile.shift_days}d`,
      }))
      .filter((r) => r.interval_end.getTime() <= endOfTomorrow);
    await ctx.marketFeed.loadForecasts.upsert(rows);
    state.files.push({ file, market, shift_days: priceFile.shift_days, rows: rows.length, missing_hours: parsed.rejections.length });
  }
  await ctx.repos.settings.set(SETTING, state);
  return state;
}
