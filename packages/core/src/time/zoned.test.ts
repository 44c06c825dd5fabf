import { describe, expect, it } from 'vitest';
import {
  addDaysYmd,
  daysBetweenYmd,
  hoursInLocalDay,
  localDateOf,
  localDayBoundsUtc,
  resolveZonedLocal,
  utcToZonedParts,
  ymdRange,
  zonedLocalToUtc,
} from './zoned.js';

const NY = 'America/New_York';
const CHI = 'America/Chicago';
const LA = 'America/Los_Angeles';
const EST = 'Etc/GMT+5';

describe('zonedLocalToUtc', () => {
  it('converts ordinary winter and summer times', () => {
    expect(zonedLocalToUtc('2025-01-15', '10:30', NY).toISOString()).toBe('2025-01-15T15:30:00.000Z');
    expect(zonedLocalToUtc('2025-07-15', '10:30', NY).toISOString()).toBe('2025-07-15T14:30:00.000Z');
    expect(zonedLocalToUtc('2025-07-15', 600, CHI).toISOString()).toBe('2025-07-15T15:00:00.000Z');
  });

  it('keeps fixed EST all year for Etc/GMT+5', () => {
    expect(zonedLocalToUtc('2025-07-15', '10:30', EST).toISOString()).toBe('2025-07-15T15:30:00.000Z');
    expect(zonedLocalToUtc('2025-01-15', '10:30', EST).toISOString()).toBe('2025-01-15T15:30:00.000Z');
  });

  it('resolves the repeated fall-back hour by fold', () => {
    // 2025-11-02 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(resolveZonedLocal('2025-11-02', 90, NY)).toEqual([
      Date.parse('2025-11-02T05:30:00Z'),
      Date.parse('2025-11-02T06:30:00Z'),
    ]);
    expect(zonedLocalToUtc('2025-11-02', '01:30', NY).toISOString()).toBe('2025-11-02T05:30:00.000Z');
    expect(zonedLocalToUtc('2025-11-02', '01:30', NY, { fold: 'later' }).toISOString()).toBe('2025-11-02T06:30:00.000Z');
  });

  it('shifts or rejects a time in the spring-forward gap', () => {
    expect(resolveZonedLocal('2025-03-09', 150, NY)).toEqual([]);
    expect(zonedLocalToUtc('2025-03-09', '02:30', NY).toISOString()).toBe('2025-03-09T07:30:00.000Z');
    expect(() => zonedLocalToUtc('2025-03-09', '02:30', NY, { gap: 'reject' })).toThrow(/DST gap/);
  });

  it('accepts 24:00 as the next midnight', () => {
    expect(zonedLocalToUtc('2025-03-08', '24:00', LA).toISOString()).toBe('2025-03-09T08:00:00.000Z');
  });

  it('rejects malformed input', () => {
    expect(() => zonedLocalToUtc('2025-02-30', '00:00', NY)).toThrow();
    expect(() => zonedLocalToUtc('2025-02-03', '25:00', NY)).toThrow();
    expect(() => zonedLocalToUtc('2025-02-03', '00:00', 'Mars/Olympus')).toThrow();
  });
});

describe('utcToZonedParts and localDateOf', () => {
  it('gives wall clock and offset', () => {
    const p = utcToZonedParts(new Date('2025-11-02T06:30:00Z'), NY);
    expect([p.date, p.hour, p.minute, p.offset_minutes]).toEqual(['2025-11-02', 1, 30, -300]);
    const q = utcToZonedParts(new Date('2025-11-02T05:30:00Z'), NY);
    expect([q.date, q.hour, q.offset_minutes]).toEqual(['2025-11-02', 1, -240]);
  });
  it('puts late-evening UTC instants on the right local day', () => {
    expect(localDateOf(new Date('2025-08-01T03:00:00Z'), LA)).toBe('2025-07-31');
    expect(localDateOf(new Date('2025-08-01T07:00:00Z'), LA)).toBe('2025-08-01');
    expect(localDateOf(new Date('2025-07-01T04:30:00Z'), EST)).toBe('2025-06-30');
  });
});

describe('local days', () => {
  it('has 23, 24 and 25 hour days', () => {
    expect(hoursInLocalDay('2025-03-09', NY)).toBe(23);
    expect(hoursInLocalDay('2025-11-02', NY)).toBe(25);
    expect(hoursInLocalDay('2025-11-03', NY)).toBe(24);
    expect(hoursInLocalDay('2015-11-01', CHI)).toBe(25);
    expect(hoursInLocalDay('2015-03-08', CHI)).toBe(23);
    expect(hoursInLocalDay('2025-03-09', EST)).toBe(24);
    expect(hoursInLocalDay('2025-11-02', EST)).toBe(24);
  });
  it('gives UTC bounds', () => {
    const b = localDayBoundsUtc('2025-11-02', LA);
    expect(b.start.toISOString()).toBe('2025-11-02T07:00:00.000Z');
    expect(b.end.toISOString()).toBe('2025-11-03T08:00:00.000Z');
  });
  it('does calendar arithmetic on dates', () => {
    expect(addDaysYmd('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDaysYmd('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDaysYmd('2025-12-31', 1)).toBe('2026-01-01');
    expect(daysBetweenYmd('2025-01-01', '2025-03-01')).toBe(59);
    expect(ymdRange('2025-01-30', '2025-02-02')).toEqual(['2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02']);
  });
});
