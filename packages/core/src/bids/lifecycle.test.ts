import { describe, expect, it } from 'vitest';
import { BID_STATUSES, canBidTransition, isBidEditable, isTerminalBidStatus, nextBidStatus, statusAfterValidation } from './index.js';

const gate = new Date('2026-11-25T16:00:00Z');
const open = { now: new Date('2026-11-25T15:00:00Z'), gate_closure: gate };
const closed = { now: new Date('2026-11-25T16:00:00Z'), gate_closure: gate };

describe('bid lifecycle', () => {
  it('follows draft → submitted → accepted → cleared → settled', () => {
    let s = nextBidStatus('draft', 'submit');
    expect(s).toEqual({ ok: true, status: 'submitted' });
    s = nextBidStatus('submitted', 'accept');
    expect(s).toEqual({ ok: true, status: 'accepted' });
    expect(nextBidStatus('accepted', 'clear')).toEqual({ ok: true, status: 'cleared' });
    expect(nextBidStatus('cleared', 'settle')).toEqual({ ok: true, status: 'settled' });
    expect(nextBidStatus('submitted', 'reject')).toEqual({ ok: true, status: 'rejected' });
  });

  it('refuses skipped or backward steps', () => {
    expect(nextBidStatus('draft', 'clear')).toEqual({ ok: false, code: 'status_forbids_action', reason: 'cannot clear a bid that is draft' });
    expect(canBidTransition('draft', 'accepted')).toBe(false);
    expect(canBidTransition('rejected', 'cleared')).toBe(false);
    expect(canBidTransition('settled', 'cleared')).toBe(false);
    expect(canBidTransition('cleared', 'settled')).toBe(true);
  });

  it('cancels only draft, submitted or accepted bids and only before gate closure', () => {
    for (const s of ['draft', 'submitted', 'accepted'] as const) {
      expect(canBidTransition(s, 'cancelled', open)).toBe(true);
      expect(canBidTransition(s, 'cancelled', closed)).toBe(false);
      expect(isBidEditable(s, open)).toBe(true);
    }
    for (const s of ['rejected', 'cleared', 'settled', 'cancelled'] as const) expect(canBidTransition(s, 'cancelled', open)).toBe(false);
    const late = nextBidStatus('accepted', 'cancel', closed);
    expect(late.ok).toBe(false);
    expect(!late.ok && late.reason).toMatch(/after gate closure/);
    expect(!late.ok && late.code).toBe('gate_closed');
    expect(nextBidStatus('draft', 'cancel').ok).toBe(false);
  });

  it('knows the terminal statuses and the submission outcome', () => {
    expect(BID_STATUSES.filter(isTerminalBidStatus)).toEqual(['rejected', 'settled', 'cancelled']);
    expect(statusAfterValidation([])).toBe('accepted');
    expect(statusAfterValidation([{ code: 'gate_closed', message: 'x' }])).toBe('rejected');
  });
});

describe('bid periods and gate', () => {
  it('maps DA hours of a DST day and RT intervals to UTC instants', async () => {
    const { bidPeriods, bidGateClosure } = await import('./index.js');
    const { getMarket } = await import('../markets/catalogue.js');
    const caiso = getMarket('CAISO');
    const curves = Array.from({ length: 25 }, () => []);
    const p = bidPeriods({ run: 'DA', delivery_date: '2026-11-01', curves }, caiso);
    expect(p[0]!.interval_start.toISOString()).toBe('2026-11-01T07:00:00.000Z');
    expect(p[24]!.interval_start.toISOString()).toBe('2026-11-02T07:00:00.000Z');
    const rt = bidPeriods({ run: 'RT', interval_start: new Date('2026-07-01T20:00:00Z'), interval_minutes: 15, curves: [[], []] }, caiso);
    expect(rt.map((x) => [x.interval_start.toISOString(), x.duration_h])).toEqual([
      ['2026-07-01T20:00:00.000Z', 0.25],
      ['2026-07-01T20:15:00.000Z', 0.25],
    ]);
    expect(bidGateClosure({ iso: 'CAISO', run: 'DA', delivery_date: '2026-07-02' }, caiso).toISOString()).toBe('2026-07-01T17:00:00.000Z');
    expect(bidGateClosure({ iso: 'CAISO', run: 'RT', interval_start: new Date('2026-07-01T20:30:00Z') }, caiso).toISOString()).toBe('2026-07-01T18:45:00.000Z');
  });
});
