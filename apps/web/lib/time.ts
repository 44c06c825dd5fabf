/**
 * Market-local calendar helpers (the browser's Intl does the zone arithmetic).
 * Delivery dates are `YYYY-MM-DD` in the market's own zone; instants are UTC.
 */

/** The calendar date of `at` in `timeZone` as YYYY-MM-DD. */
export function localDate(at: Date | number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** `ymd` plus `days` calendar days (no zone involved). */
export function addDays(ymd: string, days: number): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

/** Offset of `timeZone` from UTC at `at`, in minutes (e.g. -360 for CST). */
export function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The UTC instant of local midnight starting `ymd` in `timeZone` (two passes settle DST edges). */
export function localMidnightUtc(ymd: string, timeZone: string): Date {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - zoneOffsetMinutes(new Date(guess), timeZone) * 60_000;
  t = guess - zoneOffsetMinutes(new Date(t), timeZone) * 60_000;
  return new Date(t);
}

/** Hours in the market-local day `ymd`: 24, or 23/25 on DST change days (one DA curve per hour). */
export function hoursInLocalDay(ymd: string, timeZone: string): number {
  const start = localMidnightUtc(ymd, timeZone).getTime();
  const end = localMidnightUtc(addDays(ymd, 1), timeZone).getTime();
  return Math.round((end - start) / 3_600_000);
}

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
