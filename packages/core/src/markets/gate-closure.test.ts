import { describe, expect, it } from 'vitest';
import { createMarketCatalogue } from './catalogue.js';
import { dayAheadGateClosure, marketLocalDate, nextDayAheadGateClosure, rtBidClosure } from './gate-closure.js';

const iso = (d: Date) => d.toISOString();

describe('dayAheadGateClosure', () => {
  it('uses the PJM rule version in force (noon before 2016-04-01, 10:30 after)', () => {
    expect(iso(dayAheadGateClosure('PJM', '2016-03-31'))).toBe('2016-03-30T16:00:00.000Z');
    expect(iso(dayAheadGateClosure('PJM', '2016-04-02'))).toBe('2016-04-01T14:30:00.000Z');
    expect(iso(dayAheadGateClosure('PJM', '2025-01-15'))).toBe('2025-01-14T15:30:00.000Z');
  });

  it('is DST-correct around the transitions', () => {
    // Delivery 2025-03-10: close on 2025-03-09 (EDT from 03:00) 10:30 EDT = 14:30Z.
    expect(iso(dayAheadGateClosure('PJM', '2025-03-10'))).toBe('2025-03-09T14:30:00.000Z');
    expect(iso(dayAheadGateClosure('PJM', '2025-03-09'))).toBe('2025-03-08T15:30:00.000Z');
    expect(iso(dayAheadGateClosure('ERCOT', '2025-11-03'))).toBe('2025-11-02T16:00:00.000Z');
    expect(iso(dayAheadGateClosure('ERCOT', '2025-11-02'))).toBe('2025-11-01T15:00:00.000Z');
    expect(iso(dayAheadGateClosure('CAISO', '2025-07-02'))).toBe('2025-07-01T17:00:00.000Z');
    expect(iso(dayAheadGateClosure('NYISO', '2025-07-02'))).toBe('2025-07-01T09:00:00.000Z');
  });

  it('keeps MISO on EST in summer and winter', () => {
    expect(iso(dayAheadGateClosure('MISO', '2025-07-02'))).toBe('2025-07-01T15:30:00.000Z');
    expect(iso(dayAheadGateClosure('MISO', '2025-01-02'))).toBe('2025-01-01T15:30:00.000Z');
  });

  it('follows an overridden definition', () => {
    const c = createMarketCatalogue({
      MISO: { da_gate_closures: [{ effective_from: '2000-01-01', close_local_time: '10:30', timezone: 'America/New_York', source: 'cfg' }] },
    });
    expect(iso(dayAheadGateClosure('MISO', '2025-07-02', c.getMarket('MISO')))).toBe('2025-07-01T14:30:00.000Z');
    expect(() => dayAheadGateClosure('PJM', '2025-07-02', c.getMarket('MISO'))).toThrow(/MISO/);
  });
});

describe('rtBidClosure', () => {
  it('counts back from the start of the interval hour', () => {
    expect(iso(rtBidClosure('CAISO', new Date('2025-07-01T18:35:00Z')))).toBe('2025-07-01T16:45:00.000Z');
    expect(iso(rtBidClosure('PJM', new Date('2025-07-01T18:00:00Z')))).toBe('2025-07-01T16:55:00.000Z');
  });
});

describe('nextDayAheadGateClosure and marketLocalDate', () => {
  it('picks tomorrow before the close and the day after once it passed', () => {
    const before = nextDayAheadGateClosure('PJM', new Date('2025-07-01T14:00:00Z'));
    expect(before.delivery_date).toBe('2025-07-02');
    expect(iso(before.closes_at)).toBe('2025-07-01T14:30:00.000Z');
    const after = nextDayAheadGateClosure('PJM', new Date('2025-07-01T14:30:00Z'));
    expect(after.delivery_date).toBe('2025-07-03');
  });
  it('uses the market calendar', () => {
    expect(marketLocalDate('CAISO', new Date('2025-08-01T03:00:00Z'))).toBe('2025-07-31');
    expect(marketLocalDate('MISO', new Date('2025-07-01T04:30:00Z'))).toBe('2025-06-30');
    expect(marketLocalDate('PJM', new Date('2025-07-01T04:30:00Z'))).toBe('2025-07-01');
  });
});
