/** Display of gate-closure instants in the market's own clock, e.g. `10:00 CST on 2026-11-25`. */
import { zonedFormatter } from '../time/zoned.js';

// Fixed-offset zones (MISO's all-year EST) print as "GMT-5"; traders know them by name.
const FIXED_ZONE_ABBR: Record<string, string> = {
  'Etc/GMT+5': 'EST',
  'Etc/GMT+6': 'CST',
  'Etc/GMT+7': 'MST',
  'Etc/GMT+8': 'PST',
};

/** `HH:MM ZZZ on YYYY-MM-DD` of an instant in `timeZone`. */
export function formatMarketClock(instant: Date, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const p of zonedFormatter(timeZone, 'clock').formatToParts(instant)) parts[p.type] = p.value;
  const abbr = FIXED_ZONE_ABBR[timeZone] ?? parts.timeZoneName ?? timeZone;
  return `${parts.hour}:${parts.minute} ${abbr} on ${parts.year}-${parts.month}-${parts.day}`;
}
