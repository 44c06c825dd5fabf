/**
 * PJM Data Miner 2: `da_hrl_lmps` and `rt_hrl_lmps` as CSV (`format=csv`), hubs only, current
 * rows only, one Eastern day per request. Every request needs the subscription key
 * (`PJM_API_KEY`), sent as a header so it never appears in a URL we record.
 */
import type { ClientConfig, FetchDataset, IsoClient, PlanContext, PlannedDownload } from './types.js';
import { AS_PRICES_UNSUPPORTED } from './types.js';
import { eia930Plan } from './eia930.js';

function mdy(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${m}/${d}/${y}`;
}

export class PjmClient implements IsoClient {
  readonly iso = 'PJM' as const;
  constructor(private readonly config: ClientConfig) {}

  unavailable(dataset: FetchDataset): string | null {
    if (dataset === 'as-prices') return AS_PRICES_UNSUPPORTED;
    if (dataset !== 'load-forecast' && !this.config.pjmApiKey) return 'PJM Data Miner needs a subscription key: set PJM_API_KEY';
    return null;
  }

  async plan(dataset: FetchDataset, days: string[], _ctx: PlanContext): Promise<PlannedDownload[]> {
    if (dataset === 'load-forecast') return eia930Plan(this.config, this.iso, days);
    const feed = dataset === 'da-lmp' ? 'da_hrl_lmps' : 'rt_hrl_lmps';
    return days.map((day) => {
      const range = encodeURIComponent(`${mdy(day)} 00:00to${mdy(day)} 23:59`);
      const url = `${this.config.baseUrls.PJM}/api/v1/${feed}?download=true&format=csv&startRow=1&rowCount=50000&type=HUB&row_is_current=TRUE&datetime_beginning_ept=${range}`;
      return { request: { url, safeUrl: url, headers: { 'Ocp-Apim-Subscription-Key': this.config.pjmApiKey ?? '' } }, name: `${feed}_${day}.csv`, days: [day], kind: 'prices' };
    });
  }
}
