/**
 * When each ISO publishes its day-ahead market results, in its own clock, with the source
 * of each figure. The fetch schedule asks for a delivery day's DA prices after this time on
 * the day before delivery (plus a margin); asking earlier only finds nothing.
 */
import { addDaysYmd, zonedLocalToUtc } from '../time/zoned.js';
import type { IsoId } from './types.js';

export interface DayAheadPublication {
  /** Local clock time on the day before delivery by which results are normally posted, `HH:MM`. */
  results_local_time: string;
  /** IANA zone of that clock (MISO: fixed EST, as it trades). */
  timezone: string;
  source: string;
  /** True when the figure is our reading, not a statement in the ISO's own documents. */
  unverified: boolean;
}

export const DA_PUBLICATION: Readonly<Record<IsoId, DayAheadPublication>> = {
  PJM: { results_local_time: '13:30', timezone: 'America/New_York', source: 'PJM Inside Lines, "Tariff changes align gas and electric day-ahead markets" (results by 13:30 since 2016-04-01)', unverified: false },
  CAISO: { results_local_time: '13:00', timezone: 'America/Los_Angeles', source: 'CAISO Market Processes page (DAM results published 13:00 PT)', unverified: false },
  ERCOT: { results_local_time: '13:30', timezone: 'America/Chicago', source: 'ERCOT NPRR903 (DAM results published 13:30 CPT, latest 19:00)', unverified: false },
  SPP: { results_local_time: '14:00', timezone: 'America/Chicago', source: 'RTO Insider, "SPP moving to 9:30 day-ahead close" (results 14:00 CT under the Order 809 proposal; adoption not verified)', unverified: true },
  NYISO: { results_local_time: '11:00', timezone: 'America/New_York', source: 'NYISO Day-Ahead Scheduling Manual: DAM closes 05:00 and results are posted by 11:00 ET (not in our research notes; verify)', unverified: true },
  MISO: { results_local_time: '13:30', timezone: 'Etc/GMT+5', source: 'MISO BPM-002 Energy and Operating Reserve Markets: DA results posted 13:30 EST (not in our research notes; verify)', unverified: true },
  ISONE: { results_local_time: '13:30', timezone: 'America/New_York', source: 'ISO-NE Market Rule 1 timeline: DA results by 13:30 ET after the 2020 close change (not verified)', unverified: true },
};

/** UTC instant by which the DA results for `deliveryDate` (market-local) are normally published. */
export function dayAheadPublicationTime(iso: IsoId, deliveryDate: string): Date {
  const p = DA_PUBLICATION[iso];
  return zonedLocalToUtc(addDaysYmd(deliveryDate, -1), p.results_local_time, p.timezone);
}
