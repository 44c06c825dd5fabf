/**
 * ISO-NE historical reports: `WW_DALMP_ISO_{date}.csv` (DA) and `lmp_rt_final_{date}.csv`
 * (RT hourly final), Eastern days. The static reports are public; when an ISO Express account
 * is configured it is sent as HTTP basic auth (ISO-NE's web services require it).
 */
import type { ClientConfig, FetchDataset, IsoClient, PlanContext, PlannedDownload } from './types.js';
import { AS_PRICES_UNSUPPORTED, compactYmd } from './types.js';
import { eia930Plan } from './eia930.js';

export class IsoneClient implements IsoClient {
  readonly iso = 'ISONE' as const;
  constructor(private readonly config: ClientConfig) {}

  unavailable(dataset: FetchDataset): string | null {
    return dataset === 'as-prices' ? AS_PRICES_UNSUPPORTED : null;
  }

  async plan(dataset: FetchDataset, days: string[], _ctx: PlanContext): Promise<PlannedDownload[]> {
    if (dataset === 'load-forecast') return eia930Plan(this.config, this.iso, days);
    const { isoneUsername: user, isonePassword: pass } = this.config;
    const headers: Record<string, string> = user && pass ? { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } : {};
    return days.map((day) => {
      const [folder, name] = dataset === 'da-lmp' ? ['da-lmp', `WW_DALMP_ISO_${compactYmd(day)}.csv`] : ['rt-lmp', `lmp_rt_final_${compactYmd(day)}.csv`];
      const url = `${this.config.baseUrls.ISONE}/static-transform/csv/histRpts/${folder}/${name}`;
      return { request: { url, safeUrl: url, headers }, name, days: [day], kind: 'prices' };
    });
  }
}
