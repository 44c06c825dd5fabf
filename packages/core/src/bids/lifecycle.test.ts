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
    expect(nextBidStatus('draft', 'clear')).toEqual({ ok: false, reason: 'cannot clear a bid that is draft' });
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
    expect(nextBidStatus('draft', 'cancel').ok).toBe(false);
  });

  it('knows the terminal statuses and the submission outcome', () => {
    expect(BID_STATUSES.filter(isTerminalBidStatus)).toEqual(['rejected', 'settled', 'cancelled']);
    expect(statusAfterValidation([])).toBe('accepted');
    expect(statusAfterValidation([{ code: 'gate_closed', message: 'x' }])).toBe('rejected');
  });
});
