/**
 * NYISO MIS public CSVs: `damlbmp` (DA) and `rtlbmp` (RT hourly) zonal files. A day within
 * the last 10 days is its own CSV; older days come in the month's zip (NYISO keeps the daily
 * files only for recent days). No credentials.
 */
import { addDaysYmd, localDateOf } from '@optibid/core';
import type { ClientConfig, FetchDataset, IsoClient, PlanContext, PlannedDownload } from './types.js';
import { AS_PRICES_UNSUPPORTED, compactYmd, groupBy } from './types.js';
import { eia930Plan } from './eia930.js';

const RECENT_DAYS = 10;

export class NyisoClient implements IsoClient {
  readonly iso = 'NYISO' as const;
  constructor(private readonly config: ClientConfig) {}

  unavailable(dataset: FetchDataset): string | null {
    return dataset === 'as-prices' ? AS_PRICES_UNSUPPORTED : null;
  }

  async plan(dataset: FetchDataset, days: string[], ctx: PlanContext): Promise<PlannedDownload[]> {
    if (dataset === 'load-forecast') return eia930Plan(this.config, this.iso, days);
    const kind = dataset === 'da-lmp' ? 'damlbmp' : 'rtlbmp';
    const base = `${this.config.baseUrls.NYISO}/public/csv/${kind}`;
    const cutoff = addDaysYmd(localDateOf(ctx.now, 'America/New_York'), -RECENT_DAYS);
    const out: PlannedDownload[] = [];
    const old = days.filter((d) => d < cutoff);
    for (const d of days.filter((x) => x >= cutoff)) {
      const name = `${compactYmd(d)}${kind}_zone.csv`;
      out.push({ request: { url: `${base}/${name}`, safeUrl: `${base}/${name}` }, name, days: [d], kind: 'prices' });
    }
    for (const [month, monthDays] of groupBy(old, (d) => d.slice(0, 7))) {
      const name = `${month.replace('-', '')}01${kind}_zone_csv.zip`;
      out.push({ request: { url: `${base}/${name}`, safeUrl: `${base}/${name}` }, name, days: monthDays, kind: 'prices' });
    }
    return out;
  }
}
