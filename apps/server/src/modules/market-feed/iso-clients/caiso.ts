/**
 * CAISO OASIS SingleZip: PRC_LMP v12 (DAM, hourly) and PRC_INTVL_LMP v3 (RTM, 5 min) for the
 * catalogue's trading hubs, one market-local day per request (OASIS allows 31 days, but
 * rate-limits with 429s, so small requests retry cheaply). No credentials.
 */
import { getMarket } from '@optibid/core';
import type { ClientConfig, FetchDataset, IsoClient, PlanContext, PlannedDownload } from './types.js';
import { AS_PRICES_UNSUPPORTED, compactYmd, dayBounds } from './types.js';
import { eia930Plan } from './eia930.js';

function oasisTime(t: Date): string {
  const iso = t.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 16)}-0000`;
}

export class CaisoClient implements IsoClient {
  readonly iso = 'CAISO' as const;
  constructor(private readonly config: ClientConfig) {}

  unavailable(dataset: FetchDataset): string | null {
    return dataset === 'as-prices' ? AS_PRICES_UNSUPPORTED : null;
  }

  async plan(dataset: FetchDataset, days: string[], _ctx: PlanContext): Promise<PlannedDownload[]> {
    if (dataset === 'load-forecast') return eia930Plan(this.config, this.iso, days);
    const [query, version, run] = dataset === 'da-lmp' ? ['PRC_LMP', 12, 'DAM'] : ['PRC_INTVL_LMP', 3, 'RTM'];
    const nodes = getMarket('CAISO').locations.filter((l) => l.type === 'hub').map((l) => l.id);
    return days.map((day) => {
      const { start, end } = dayBounds(this.iso, day);
      const url = `${this.config.baseUrls.CAISO}/oasisapi/SingleZip?resultformat=6&queryname=${query}&version=${version}&market_run_id=${run}&startdatetime=${oasisTime(start)}&enddatetime=${oasisTime(end)}&node=${nodes.map(encodeURIComponent).join(',')}`;
      return { request: { url, safeUrl: url }, name: `${query}_${run}_${compactYmd(day)}.zip`, days: [day], kind: 'prices' };
    });
  }
}
