/**
 * SPP Marketplace file browser: `DA-LMP-SL-{date}0100.csv` (DA by settlement location) and the
 * daily `RTBM-LMP-DAILY-SL-{date}.csv` (RT 5 min), Central days. No credentials.
 */
import type { ClientConfig, FetchDataset, IsoClient, PlanContext, PlannedDownload } from './types.js';
import { AS_PRICES_UNSUPPORTED, compactYmd } from './types.js';
import { eia930Plan } from './eia930.js';

export class SppClient implements IsoClient {
  readonly iso = 'SPP' as const;
  constructor(private readonly config: ClientConfig) {}

  unavailable(dataset: FetchDataset): string | null {
    return dataset === 'as-prices' ? AS_PRICES_UNSUPPORTED : null;
  }

  async plan(dataset: FetchDataset, days: string[], _ctx: PlanContext): Promise<PlannedDownload[]> {
    if (dataset === 'load-forecast') return eia930Plan(this.config, this.iso, days);
    return days.map((day) => {
      const [y, m] = day.split('-');
      const [folder, name] =
        dataset === 'da-lmp' ? ['da-lmp-by-location', `DA-LMP-SL-${compactYmd(day)}0100.csv`] : ['rtbm-lmp-by-location', `RTBM-LMP-DAILY-SL-${compactYmd(day)}.csv`];
      const url = `${this.config.baseUrls.SPP}/file-browser-api/download/${folder}?path=${encodeURIComponent(`/${y}/${m}/By_Day/${name}`)}`;
      return { request: { url, safeUrl: url }, name, days: [day], kind: 'prices' };
    });
  }
}
