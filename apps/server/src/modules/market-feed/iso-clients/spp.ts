/**
 * SPP Marketplace file browser, Central days, no credentials: `DA-LMP-SL-{date}0100.csv` (DA by
 * settlement location; the folder is `da-lmp-by-settlement-location` since SPP renamed it in
 * 2026, as gridstatus follows), the daily `RTBM-LMP-DAILY-SL-{date}.csv` (RT 5 min) and
 * `DA-MCP-{date}0100.csv` (DA operating-reserve clearing prices per reserve zone, kept in the
 * month's folder without `By_Day`).
 */
import type { ClientConfig, FetchDataset, IsoClient, PlanContext, PlannedDownload } from './types.js';
import { compactYmd } from './types.js';
import { eia930Plan } from './eia930.js';

const FILES: Record<Exclude<FetchDataset, 'load-forecast'>, { folder: string; name: (ymd: string) => string; byDay: boolean; kind: PlannedDownload['kind'] }> = {
  'da-lmp': { folder: 'da-lmp-by-settlement-location', name: (d) => `DA-LMP-SL-${d}0100.csv`, byDay: true, kind: 'prices' },
  'rt-lmp': { folder: 'rtbm-lmp-by-location', name: (d) => `RTBM-LMP-DAILY-SL-${d}.csv`, byDay: true, kind: 'prices' },
  'as-prices': { folder: 'da-mcp', name: (d) => `DA-MCP-${d}0100.csv`, byDay: false, kind: 'as-prices' },
};

export class SppClient implements IsoClient {
  readonly iso = 'SPP' as const;
  constructor(private readonly config: ClientConfig) {}

  unavailable(_dataset: FetchDataset): string | null {
    return null;
  }

  async plan(dataset: FetchDataset, days: string[], _ctx: PlanContext): Promise<PlannedDownload[]> {
    if (dataset === 'load-forecast') return eia930Plan(this.config, this.iso, days);
    const f = FILES[dataset];
    return days.map((day) => {
      const [y, m] = day.split('-');
      const name = f.name(compactYmd(day));
      const url = `${this.config.baseUrls.SPP}/file-browser-api/download/${f.folder}?path=${encodeURIComponent(`/${y}/${m}/${f.byDay ? 'By_Day/' : ''}${name}`)}`;
      return { request: { url, safeUrl: url }, name, days: [day], kind: f.kind };
    });
  }
}
