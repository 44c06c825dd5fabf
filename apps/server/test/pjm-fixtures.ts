/** PJM WESTERN HUB prices as the price-read tests import them. */
import { localDayBoundsUtc, utcToZonedParts } from '@optibid/core';

export const PJM_TZ = 'America/New_York';

/** A gridstatus-style CSV of PJM WESTERN HUB DA prices: one row per hour of the market-local day. */
export function westernHubCsv(date: string, lmp: (hour: number) => number): string {
  const day = localDayBoundsUtc(date, PJM_TZ);
  const lines = ['interval_start_utc,interval_end_utc,location,lmp'];
  for (let k = 0, t = day.start.getTime(); t < day.end.getTime(); k++, t += 3_600_000) {
    lines.push(`${new Date(t).toISOString()},${new Date(t + 3_600_000).toISOString()},WESTERN HUB,${lmp(k)}`);
  }
  return lines.join('\n') + '\n';
}

/** Today's date in PJM's market-local calendar. */
export function pjmToday(): string {
  const p = utcToZonedParts(new Date(), PJM_TZ);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}
