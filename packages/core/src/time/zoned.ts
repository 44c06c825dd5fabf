/**
 * Market-local time ↔ UTC without dependencies, on top of `Intl.DateTimeFormat`.
 *
 * Dates are `YYYY-MM-DD` strings in the market's calendar, times are `HH:MM` or minutes of
 * the day, instants are UTC `Date`s. Fixed EST (MISO) is the IANA zone `Etc/GMT+5`.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** `YYYY-MM-DD` in the zone. */
  date: string;
  /** Minutes since local midnight (wall clock). */
  minutes_of_day: number;
  /** Local minus UTC, minutes (e.g. −300 for EST). */
  offset_minutes: number;
}

export type Fold = 'earlier' | 'later';

const FORMATS = {
  /** Numeric wall-clock parts, for the zone arithmetic below. */
  parts: { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' },
  /** Date, hour and minute with the zone's short name, for messages (`formatMarketClock`). */
  clock: { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;
export type ZonedFormat = keyof typeof FORMATS;

// One formatter per format and zone: building an Intl.DateTimeFormat costs far more than using one.
const formatters: Record<ZonedFormat, Map<string, Intl.DateTimeFormat>> = { parts: new Map(), clock: new Map() };

/** The cached `en-US` formatter of `format` in `timeZone`; throws a RangeError for an unknown zone. */
export function zonedFormatter(timeZone: string, format: ZonedFormat = 'parts'): Intl.DateTimeFormat {
  const cache = formatters[format];
  let f = cache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, ...FORMATS[format] });
    cache.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError naming the zone when the runtime does not know it. */
export function assertTimeZone(timeZone: string): void {
  zonedFormatter(timeZone);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function formatYmd(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD`; throws on anything that is not a real calendar date. */
export function parseYmd(date: string): { year: number; month: number; day: number } {
  const m = YMD.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new RangeError(`not a calendar date: ${date}`);
  }
  return { year, month, day };
}

export function isYmd(date: string): boolean {
  try {
    parseYmd(date);
    return true;
  } catch {
    return false;
  }
}

/** Adds whole calendar days to a `YYYY-MM-DD` date (no timezone involved). */
export function addDaysYmd(date: string, days: number): string {
  const { year, month, day } = parseYmd(date);
  const d = new Date(Date.UTC(year, month - 1, day) + days * DAY_MS);
  return formatYmd(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** Whole days from `a` to `b` (b − a), both `YYYY-MM-DD`. */
export function daysBetweenYmd(a: string, b: string): number {
  const pa = parseYmd(a);
  const pb = parseYmd(b);
  return Math.round((Date.UTC(pb.year, pb.month - 1, pb.day) - Date.UTC(pa.year, pa.month - 1, pa.day)) / DAY_MS);
}

/** Accepts `HH:MM` (00:00–24:00) or minutes of day; returns minutes. */
export function toMinutesOfDay(time: string | number): number {
  if (typeof time === 'number') {
    if (!Number.isInteger(time) || time < 0 || time > 1440) throw new RangeError(`minutes of day out of range: ${time}`);
    return time;
  }
  const m = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!m) throw new RangeError(`not an HH:MM time: ${JSON.stringify(time)}`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59 || minutes > 1440) throw new RangeError(`time out of range: ${time}`);
  return minutes;
}

export function utcToZonedParts(instant: Date | number, timeZone: string): ZonedParts {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid instant');
  const parts = zonedFormatter(timeZone).formatToParts(new Date(ms));
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value) % 24;
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
    }
  }
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const flooredMs = Math.floor(ms / 1000) * 1000;
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    date: formatYmd(year, month, day),
    minutes_of_day: hour * 60 + minute,
    offset_minutes: Math.round((wallMs - flooredMs) / MINUTE_MS),
  };
}

/** Local minus UTC in minutes at an instant. */
export function zoneOffsetMinutes(instant: Date | number, timeZone: string): number {
  return utcToZonedParts(instant, timeZone).offset_minutes;
}

/** The market-local calendar date (`YYYY-MM-DD`) of an instant. */
export function localDateOf(instant: Date | number, timeZone: string): string {
  return utcToZonedParts(instant, timeZone).date;
}

const resolveCache = new Map<string, number[]>();

/**
 * All UTC instants (ms, ascending) whose wall clock in `timeZone` reads `localDate` at
 * `minutes` past midnight: one normally, two in a fall-back hour, none in a spring-forward
 * gap. `minutes` may be 1440 (24:00 = next day's midnight).
 */
export function resolveZonedLocal(localDate: string, minutes: number, timeZone: string): number[] {
  const key = `${timeZone}|${localDate}|${minutes}`;
  const hit = resolveCache.get(key);
  if (hit) return hit;
  const { year, month, day } = parseYmd(localDate);
  const wall = Date.UTC(year, month - 1, day) + minutes * MINUTE_MS;
  // US-style zones change offset at most once within ±1 day, so the offsets a day either
  // side are the only candidates.
  const offsets = new Set([zoneOffsetMinutes(wall - DAY_MS, timeZone), zoneOffsetMinutes(wall + DAY_MS, timeZone)]);
  const found: number[] = [];
  for (const off of offsets) {
    const t = wall - off * MINUTE_MS;
    if (zoneOffsetMinutes(t, timeZone) === off) found.push(t);
  }
  found.sort((a, b) => a - b);
  if (resolveCache.size > 200_000) resolveCache.clear();
  resolveCache.set(key, found);
  return found;
}

export interface ZonedLocalOptions {
  /** Which instant a repeated (fall-back) wall time means. Default `earlier`. */
  fold?: Fold;
  /**
   * What a wall time inside a spring-forward gap means: `shift` (default) moves it forward by
   * the gap, like Temporal's `compatible`; `reject` throws.
   */
  gap?: 'shift' | 'reject';
}

/** The UTC instant of a market-local wall time. */
export function zonedLocalToUtc(
  localDate: string,
  localTime: string | number,
  timeZone: string,
  opts: ZonedLocalOptions = {},
): Date {
  const minutes = toMinutesOfDay(localTime);
  const found = resolveZonedLocal(localDate, minutes, timeZone);
  if (found.length === 1) return new Date(found[0]!);
  if (found.length === 2) return new Date(opts.fold === 'later' ? found[1]! : found[0]!);
  if (opts.gap === 'reject') {
    throw new RangeError(`${localDate} ${minutesToHhmm(minutes)} does not exist in ${timeZone} (DST gap)`);
  }
  const { year, month, day } = parseYmd(localDate);
  const wall = Date.UTC(year, month - 1, day) + minutes * MINUTE_MS;
  const before = zoneOffsetMinutes(wall - DAY_MS, timeZone);
  return new Date(wall - before * MINUTE_MS);
}

export function minutesToHhmm(minutes: number): string {
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

export interface LocalDayBounds {
  start: Date;
  end: Date;
  /** 23, 24 or 25 in US zones. */
  hours: number;
}

/** UTC bounds [start, end) of a market-local calendar day. */
export function localDayBoundsUtc(date: string, timeZone: string): LocalDayBounds {
  const start = zonedLocalToUtc(date, 0, timeZone);
  const end = zonedLocalToUtc(addDaysYmd(date, 1), 0, timeZone);
  return { start, end, hours: (end.getTime() - start.getTime()) / 3_600_000 };
}

export function hoursInLocalDay(date: string, timeZone: string): number {
  return localDayBoundsUtc(date, timeZone).hours;
}

/** `YYYY-MM-DD` dates from `from` to `to` inclusive. */
export function ymdRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDaysYmd(d, 1)) out.push(d);
  return out;
}
