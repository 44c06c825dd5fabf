/**
 * Display helpers for market-local times (the browser's Intl does the zone arithmetic). Calendar
 * arithmetic (`addDaysYmd`, `localDateOf`, `hoursInLocalDay`, `localDayBoundsUtc`) is core's, imported
 * from `@optibid/core/time`. Delivery dates are `YYYY-MM-DD` in the market's own zone; instants are UTC.
 */

/** "HE01"… hour-ending label of period `p` (0-based) of a delivery day. */
export function hourEnding(p: number): string {
  return `HE${String(p + 1).padStart(2, '0')}`;
}

/** Short zone name of `timeZone` at `at` (e.g. "CST"). */
export function zoneAbbrev(timeZone: string, at: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/** "HH:MM" in `timeZone`. */
export function clockTime(value: string | number | Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(value));
}

/** Countdown text "2 h 05 min 09 s" to `target`, or "closed". */
export function countdown(target: string | number | Date, now: number): string {
  const ms = new Date(target).getTime() - now;
  if (ms <= 0) return 'closed';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h >= 48) return `${Math.floor(h / 24)} d ${h % 24} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min ${String(sec).padStart(2, '0')} s`;
}
