import { describe, expect, it } from 'vitest';
import { effectiveLimits, fitsQuota, nextUtcMidnight, quotaStatus, usageDay } from './plans.js';
import { evaluateFeatureFlag, fnv1a32, rolloutBucket } from './flags.js';
import { alertRuleConcerns, evaluateAlertRule, validateAlertRule, type AlertEvent, type AlertRuleDefinition, type AlertRuleState } from './alerts.js';
import { computeMonthlyStatement, daysInMonth } from './statement.js';

describe('plans and quotas', () => {
  it('applies overrides over plan limits, null meaning unlimited', () => {
    const l = effectiveLimits({ assets: 5, bids_per_day: 200, api_requests_per_day: 10, backtests_per_day: 2, members: 3 }, { assets: null, members: 10 });
    expect(l).toEqual({ assets: null, bids_per_day: 200, api_requests_per_day: 10, backtests_per_day: 2, members: 10 });
    expect(fitsQuota(null, 1e9)).toBe(true);
    expect(fitsQuota(5, 4)).toBe(true);
    expect(fitsQuota(5, 5)).toBe(false);
  });

  it('resets per-day quotas at the next UTC midnight', () => {
    const at = new Date('2024-03-10T23:59:59Z');
    expect(usageDay(at)).toBe('2024-03-10');
    expect(nextUtcMidnight(at).toISOString()).toBe('2024-03-11T00:00:00.000Z');
    expect(quotaStatus('bids_per_day', 10, 12, at)).toMatchObject({ remaining: 0, kind: 'rate', resets_at: '2024-03-11T00:00:00.000Z' });
    expect(quotaStatus('assets', 10, 3, at)).toMatchObject({ remaining: 7, kind: 'count', resets_at: null });
  });
});

describe('feature flags', () => {
  it('FNV-1a matches the published test vectors', () => {
    // Vectors from the FNV reference test suite (fnv-1a 32-bit).
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('rolls out to a stable, roughly proportional share of organisations, monotonically in the percentage', () => {
    const orgs = Array.from({ length: 2000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const share = (pct: number) => orgs.filter((o) => evaluateFeatureFlag({ key: 'x_flag', enabled: true, rollout_percentage: pct }, o, null).enabled);
    const at30 = share(30);
    expect(at30.length / orgs.length).toBeGreaterThan(0.25);
    expect(at30.length / orgs.length).toBeLessThan(0.35);
    const at60 = new Set(share(60));
    expect(at30.every((o) => at60.has(o))).toBe(true);
    expect(share(0)).toHaveLength(0);
    expect(share(100)).toHaveLength(orgs.length);
    expect(rolloutBucket('x_flag', orgs[0]!)).toBe(rolloutBucket('x_flag', orgs[0]!));
  });

  it('an override wins over the global switch and the rollout', () => {
    const flag = { key: 'f', enabled: false, rollout_percentage: 0 };
    expect(evaluateFeatureFlag(flag, 'org', true)).toEqual({ enabled: true, reason: 'override' });
    expect(evaluateFeatureFlag({ ...flag, enabled: true, rollout_percentage: 100 }, 'org', false)).toEqual({ enabled: false, reason: 'override' });
    expect(evaluateFeatureFlag(flag, 'org', null)).toEqual({ enabled: false, reason: 'disabled' });
  });
});

describe('alert rules', () => {
  const price = (lmp: number, minute: number, day = '2024-01-01'): AlertEvent => ({
    kind: 'price',
    market_zone: 'pjm',
    location: 'WEST HUB',
    run: 'RT',
    interval_start: `${day}T00:${String(minute).padStart(2, '0')}:00.000Z`,
    lmp,
    day,
  });
  const run = (rule: AlertRuleDefinition, events: AlertEvent[]) => {
    let state: AlertRuleState = null;
    const keys: string[] = [];
    for (const e of events) {
      const step = evaluateAlertRule(rule, e, state);
      state = step.state;
      if (step.trigger) keys.push(step.trigger.occurrence_key);
    }
    return keys;
  };

  it('a price rule triggers on each crossing, not on every tick above', () => {
    const rule: AlertRuleDefinition = { id: 'r1', type: 'price_above', params: { market_zone: 'pjm', location: 'west hub', run: 'RT', threshold_usd_per_mwh: 100 } };
    const keys = run(rule, [price(90, 0), price(120, 5), price(130, 10), price(150, 15), price(95, 20), price(101, 25)]);
    expect(keys).toEqual(['r1:RT:2024-01-01T00:05:00.000Z', 'r1:RT:2024-01-01T00:25:00.000Z']);
  });

  it('ignores other locations and a price exactly at the threshold', () => {
    const rule: AlertRuleDefinition = { id: 'r2', type: 'price_below', params: { market_zone: 'pjm', location: 'EAST', threshold_usd_per_mwh: 0 } };
    expect(run(rule, [price(-5, 0)])).toEqual([]);
    const here: AlertRuleDefinition = { ...rule, params: { ...rule.params, location: 'WEST HUB' } };
    expect(run(here, [price(0, 0), price(-0.01, 5)])).toHaveLength(1);
  });

  it('a spread rule triggers once per market day when max − min exceeds the threshold', () => {
    const rule: AlertRuleDefinition = { id: 's', type: 'daily_spread_above', params: { market_zone: 'pjm', location: 'WEST HUB', threshold_usd_per_mwh: 50 } };
    const keys = run(rule, [price(20, 0), price(60, 5), price(71, 10), price(200, 15), price(10, 0, '2024-01-02'), price(61, 5, '2024-01-02')]);
    expect(keys).toEqual(['s:2024-01-01', 's:2024-01-02']);
  });

  it('says which events concern a rule: its kind, zone, location and run (any when absent), its asset', () => {
    const rule: AlertRuleDefinition = { id: 'c', type: 'price_above', params: { market_zone: 'pjm', location: 'west hub', run: 'RT', threshold_usd_per_mwh: 1 } };
    expect(alertRuleConcerns(rule, price(0, 0))).toBe(true);
    expect(alertRuleConcerns(rule, { ...price(0, 0), run: 'DA' } as AlertEvent)).toBe(false);
    expect(alertRuleConcerns(rule, { ...price(0, 0), location: 'EAST' } as AlertEvent)).toBe(false);
    expect(alertRuleConcerns({ ...rule, params: { ...rule.params, run: undefined } }, { ...price(0, 0), run: 'DA' } as AlertEvent)).toBe(true);
    const award: AlertEvent = { kind: 'award', bid_id: 'b', asset_id: 'a1', market: 'PJM', location: 'X', run: 'DA', delivery_date: '2024-01-02', total_mwh: 1, mode: 'price_taker' };
    expect(alertRuleConcerns(rule, award)).toBe(false);
    expect(alertRuleConcerns({ id: 'w', type: 'award_received', params: { asset_id: 'a2' } }, award)).toBe(false);
    expect(alertRuleConcerns({ id: 'w', type: 'award_received', params: {} }, award)).toBe(true);
  });

  it('event rules trigger per bid, filtered by status and asset', () => {
    const rule: AlertRuleDefinition = { id: 'b', type: 'bid_rejected', params: {} };
    const ev = (status: string, version = 1): AlertEvent => ({ kind: 'bid_status', bid_id: 'bid1', asset_id: 'a1', market: 'PJM', status, version, delivery_date: '2024-01-02' });
    expect(run(rule, [ev('submitted'), ev('rejected'), ev('rejected', 2)])).toEqual(['b:bid1:1', 'b:bid1:2']);
    expect(run({ ...rule, params: { asset_id: 'other' } }, [ev('rejected')])).toEqual([]);
  });

  it('gate-closure rules trigger only inside their window', () => {
    const rule: AlertRuleDefinition = { id: 'g', type: 'gate_closure_drafts', params: { minutes_before: 30 } };
    const ev = (minutes_left: number): AlertEvent => ({ kind: 'gate_closure', bid_id: 'b', asset_id: 'a', market: 'PJM', delivery_date: 'd', gate_closure: 'T', minutes_left });
    expect(run(rule, [ev(45)])).toEqual([]);
    expect(run(rule, [ev(29.5)])).toEqual(['g:b:T']);
  });

  it('validates the parameters each type needs', () => {
    expect(validateAlertRule('price_above', {})).toEqual(['threshold_usd_per_mwh is required', 'market_zone and location are required']);
    expect(validateAlertRule('gate_closure_drafts', { minutes_before: 0 })).toHaveLength(1);
    expect(validateAlertRule('award_received', {})).toEqual([]);
  });
});

describe('monthly statement', () => {
  const plan = { id: 'pro', name: 'Pro', price_usd_per_month: 499 };
  const limits = { assets: 50, bids_per_day: 5000, api_requests_per_day: 200000, backtests_per_day: 500, members: 25 };

  it('prorates the fee over the days subscribed and totals usage with its peak day', () => {
    const s = computeMonthlyStatement({
      month: '2024-02',
      plan,
      limits,
      subscribed_since: new Date('2024-02-20T15:00:00Z'),
      usage: [
        { day: '2024-02-20', metric: 'api_requests', count: 100 },
        { day: '2024-02-21', metric: 'api_requests', count: 250 },
        { day: '2024-03-01', metric: 'api_requests', count: 999 },
        { day: '2024-02-21', metric: 'bids', count: 7 },
      ],
    });
    expect(daysInMonth('2024-02')).toBe(29);
    expect(s.days_billed).toBe(10);
    // 499 × 10 / 29 = 172.068… → 172.07
    expect(s.fee_usd).toBeCloseTo(172.07, 2);
    const api = s.usage.find((u) => u.metric === 'api_requests')!;
    expect(api).toEqual({ metric: 'api_requests', total: 350, peak_day: '2024-02-21', peak_count: 250, daily_limit: 200000 });
    expect(s.usage.find((u) => u.metric === 'backtests')!.total).toBe(0);
  });

  it('bills a whole month for an older subscription and nothing before it started', () => {
    expect(computeMonthlyStatement({ month: '2024-01', plan, limits, subscribed_since: new Date('2023-05-01'), usage: [] }).fee_usd).toBe(499);
    expect(computeMonthlyStatement({ month: '2023-04', plan, limits, subscribed_since: new Date('2023-05-01'), usage: [] }).fee_usd).toBe(0);
  });
});
