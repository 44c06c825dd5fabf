/** MISO market reports: `{date}_da_expost_lmp.csv` (DA) and `{date}_rt_lmp_final.csv` (RT hourly), EST days. No credentials. */
import type { ClientConfig, FetchDataset, IsoClient, PlanContext, PlannedDownload } from './types.js';
import { AS_PRICES_UNSUPPORTED, compactYmd } from './types.js';
import { eia930Plan } from './eia930.js';

export class MisoClient implements IsoClient {
  readonly iso = 'MISO' as const;
  constructor(private readonly config: ClientConfig) {}

  unavailable(dataset: FetchDataset): string | null {
    return dataset === 'as-prices' ? AS_PRICES_UNSUPPORTED : null;
  }

  async plan(dataset: FetchDataset, days: string[], _ctx: PlanContext): Promise<PlannedDownload[]> {
    if (dataset === 'load-forecast') return eia930Plan(this.config, this.iso, days);
    const suffix = dataset === 'da-lmp' ? 'da_expost_lmp' : 'rt_lmp_final';
    return days.map((day) => {
      const name = `${compactYmd(day)}_${suffix}.csv`;
      const url = `${this.config.baseUrls.MISO}/marketreports/${name}`;
      return { request: { url, safeUrl: url }, name, days: [day], kind: 'prices' };
    });
  }
}
