/**
 * ERCOT's clock for market transactions: Central Prevailing Time (America/Chicago).
 *
 * EWS messages carry times as `xs:dateTime` with the UTC offset in force
 * (`2010-11-07T01:00:00-05:00` then `2010-11-07T01:00:00-06:00` for the repeated hour),
 * which is how ERCOT's EWS "Appendix H: DST XML Examples" writes the DST long and short
 * days. Hour-ending labels are ERCOT's: the local hour at which the hour began, plus one;
 * the repeated hour of the fall-back day is `02*` (ERCOT's notices write `02*`; its reports
 * write `02:00` with Repeated Hour Flag Y), and the spring-forward day has no HE03 (23 hours:
 * HE01, HE02, HE04, …, HE24), as in ERCOT's NP4-180-ER DAM price file for 2015-03-08 and
 * 2015-11-01.
 */
import { localDayBoundsUtc, utcToZonedParts } from '../time/zoned.js';

export const ERCOT_TIMEZONE = 'America/Chicago';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DDTHH:MM:SS±HH:MM` of an instant on ERCOT's clock (whole seconds). */
export function ercotDateTime(instant: Date): string {
  const p = utcToZonedParts(instant, ERCOT_TIMEZONE);
  const off = p.offset_minutes;
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${p.date}T${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

export interface ErcotHour {
  /** 0-based index into a day's hourly curves. */
  index: number;
  start: Date;
  end: Date;
  /** `01`…`24`, `02*` for the repeated hour of the fall-back day. */
  hour_ending: string;
}

/**
 * The operating day's hours in order (23, 24 or 25). Hour ending = local wall-clock hour at
 * the start + 1; a number already used that day (the fall-back repeat) gets `*`.
 */
export function ercotOperatingHours(date: string): ErcotHour[] {
  const { start, hours } = localDayBoundsUtc(date, ERCOT_TIMEZONE);
  const seen = new Set<string>();
  const out: ErcotHour[] = [];
  for (let k = 0; k < hours; k++) {
    const s = new Date(start.getTime() + k * 3_600_000);
    const e = new Date(s.getTime() + 3_600_000);
    let label = pad2(utcToZonedParts(s, ERCOT_TIMEZONE).hour + 1);
    if (seen.has(label)) label += '*';
    seen.add(label);
    out.push({ index: k, start: s, end: e, hour_ending: label });
  }
  return out;
}
