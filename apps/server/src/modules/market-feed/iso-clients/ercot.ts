/**
 * ERCOT public API (api.ercot.com/api/public-reports): documents are looked up in a report's
 * archive, then downloaded as zips. DA: the yearly NP4-180-ER workbook for past years, the
 * daily NP4-190-CD file (posted the day before delivery) for the current year. RT: the
 * NP6-905-CD files posted during the day. AS: the yearly NP4-181-ER DAM clearing prices for
 * capacity, for past years only (the current year's daily NP4-188-CD files are long-format,
 * one row per product, and we have no real file of that layout to test an importer on). Every
 * call needs the subscription key and the ID token ERCOT issues for it
 * (`ERCOT_API_SUBSCRIPTION_KEY`, `ERCOT_API_ID_TOKEN`), sent as headers.
 */
import { addDaysYmd, localDateOf } from '@optibid/core';
import type { ClientConfig, FetchDataset, IsoClient, PlanContext, PlannedDownload } from './types.js';
import { groupBy } from './types.js';
import { eia930Plan } from './eia930.js';

/** Why the current year's AS prices are not fetched (and so not kept fresh by the schedule). */
export const ERCOT_CURRENT_YEAR_AS =
  "ERCOT posts the current year's DAM AS prices only as daily NP4-188-CD files, which are not read yet (no real file of that layout to test on); past years come from the yearly NP4-181-ER";

/** The yearly archive report of each dataset, and the name we give its zip. */
const YEARLY: Partial<Record<FetchDataset, { report: string; name: (year: string) => string; kind: PlannedDownload['kind'] }>> = {
  'da-lmp': { report: 'np4-180-er', name: (y) => `NP4-180-ER_DAMLZHBSPP_${y}.zip`, kind: 'prices' },
  'as-prices': { report: 'np4-181-er', name: (y) => `NP4-181-ER_DAMASMCPC_${y}.zip`, kind: 'as-prices' },
};

interface ArchiveList {
  archives?: { docId: number | string; friendlyName?: string; postDatetime?: string }[];
}

export class ErcotClient implements IsoClient {
  readonly iso = 'ERCOT' as const;
  constructor(private readonly config: ClientConfig) {}

  unavailable(dataset: FetchDataset): string | null {
    if (dataset !== 'load-forecast' && (!this.config.ercotSubscriptionKey || !this.config.ercotIdToken)) {
      return 'ERCOT public API needs a subscription key and an ID token: set ERCOT_API_SUBSCRIPTION_KEY and ERCOT_API_ID_TOKEN';
    }
    return null;
  }

  notScheduled(dataset: FetchDataset): string | null {
    return dataset === 'as-prices' ? ERCOT_CURRENT_YEAR_AS : null;
  }

  private headers(): Record<string, string> {
    return { 'Ocp-Apim-Subscription-Key': this.config.ercotSubscriptionKey ?? '', authorization: `Bearer ${this.config.ercotIdToken ?? ''}` };
  }

  private archiveUrl(report: string, query = ''): string {
    return `${this.config.baseUrls.ERCOT}/api/public-reports/archive/${report}${query}`;
  }

  private async list(report: string, query: string, ctx: PlanContext): Promise<NonNullable<ArchiveList['archives']>> {
    const url = this.archiveUrl(report, query);
    const res = await ctx.http.get({ url, safeUrl: url, headers: this.headers() });
    let body: ArchiveList;
    try {
      body = JSON.parse(new TextDecoder().decode(res.bytes)) as ArchiveList;
    } catch {
      throw new Error(`${url}: the archive listing is not JSON`);
    }
    return body.archives ?? [];
  }

  private download(report: string, docId: number | string, name: string, days: string[], kind: PlannedDownload['kind'] = 'prices'): PlannedDownload {
    const url = this.archiveUrl(report, `?download=${docId}`);
    return { request: { url, safeUrl: url, headers: this.headers() }, name, days, kind };
  }

  async plan(dataset: FetchDataset, days: string[], ctx: PlanContext): Promise<PlannedDownload[]> {
    if (dataset === 'load-forecast') return eia930Plan(this.config, this.iso, days);
    const thisYear = localDateOf(ctx.now, 'America/Chicago').slice(0, 4);
    const out: PlannedDownload[] = [];
    const yearly = YEARLY[dataset];
    if (yearly) {
      const past = groupBy(days.filter((d) => d.slice(0, 4) < thisYear), (d) => d.slice(0, 4));
      const archive = past.size ? await this.list(yearly.report, '', ctx) : [];
      for (const [year, yearDays] of past) {
        const docs = archive.filter((a) => (a.friendlyName ?? '').includes(`_${year}`));
        if (docs.length === 0) throw new Error(`ERCOT ${yearly.report.toUpperCase()}: no yearly document for ${year} in the archive`);
        out.push(this.download(yearly.report, docs[0]!.docId, yearly.name(year), yearDays, yearly.kind));
      }
    }
    if (dataset === 'as-prices') {
      const current = days.filter((d) => d.slice(0, 4) >= thisYear);
      if (current.length) ctx.skip(current, ERCOT_CURRENT_YEAR_AS);
      return out;
    }
    for (const day of dataset === 'da-lmp' ? days.filter((d) => d.slice(0, 4) >= thisYear) : days) {
      const [report, postDay] = dataset === 'da-lmp' ? ['np4-190-cd', addDaysYmd(day, -1)] : ['np6-905-cd', day];
      const to = dataset === 'da-lmp' ? `${postDay}T23:59:59` : `${addDaysYmd(day, 1)}T00:30:00`;
      const docs = await this.list(report, `?postDatetimeFrom=${postDay}T00:00:00&postDatetimeTo=${to}`, ctx);
      if (docs.length === 0) throw new Error(`ERCOT ${report.toUpperCase()}: nothing posted for ${day} yet`);
      for (const d of docs) out.push(this.download(report, d.docId, `${report.toUpperCase()}_${d.docId}.zip`, [day]));
    }
    return out;
  }
}
