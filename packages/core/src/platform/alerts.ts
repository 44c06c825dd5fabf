/**
 * Alert rules and their evaluation against events as they arrive. Evaluation
 * is a pure step: (rule, event, state) → (state, trigger?). A rule triggers
 * once per occurrence: a price rule when the price crosses into its condition
 * (not on every tick while it stays there), a spread rule once per market day,
 * an event rule once per bid (and version), and the occurrence key names that
 * occurrence so storage can refuse a duplicate.
 */
export const ALERT_RULE_TYPES = [
  'price_above',
  'price_below',
  'daily_spread_above',
  'bid_rejected',
  'award_received',
  'gate_closure_drafts',
  'forecast_error_above',
] as const;
export type AlertRuleType = (typeof ALERT_RULE_TYPES)[number];

export interface AlertRuleParams {
  /** Lower-case zone (`pjm`) for price, spread and forecast rules; absent = any. */
  market_zone?: string;
  location?: string;
  /** DA or RT for price rules; absent = any. */
  run?: string;
  threshold_usd_per_mwh?: number;
  /** Gate-closure rules: warn this many minutes before the gate. */
  minutes_before?: number;
  asset_id?: string;
}

export interface AlertRuleDefinition {
  id: string;
  type: AlertRuleType;
  params: AlertRuleParams;
}

export type AlertEvent =
  | { kind: 'price'; market_zone: string; location: string; run: string; interval_start: string; lmp: number; day: string }
  | { kind: 'bid_status'; bid_id: string; asset_id: string; market: string; status: string; version: number; delivery_date: string; message?: string }
  | { kind: 'award'; bid_id: string; asset_id: string; market: string; location: string; run: string; delivery_date: string; total_mwh: number; mode: string }
  | { kind: 'gate_closure'; bid_id: string; asset_id: string; market: string; delivery_date: string; gate_closure: string; minutes_left: number }
  | { kind: 'forecast_error'; market_zone: string; location: string; model: string; delivery_date: string; error_usd_per_mwh: number; metric: string };

export type AlertRuleState =
  | { kind: 'price'; in_condition: boolean }
  | { kind: 'spread'; day: string; min: number; max: number; fired: boolean }
  | null;

export interface AlertTrigger {
  occurrence_key: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  message: string;
  data: Record<string, unknown>;
}

export interface AlertStep {
  state: AlertRuleState;
  trigger: AlertTrigger | null;
}

/** Which event kinds a rule type listens to. */
export const ALERT_EVENT_KINDS: Record<AlertRuleType, AlertEvent['kind']> = {
  price_above: 'price',
  price_below: 'price',
  daily_spread_above: 'price',
  bid_rejected: 'bid_status',
  award_received: 'award',
  gate_closure_drafts: 'gate_closure',
  forecast_error_above: 'forecast_error',
};

const sameText = (a: string | undefined, b: string) => a === undefined || a === '' || a.toLowerCase() === b.toLowerCase();
const fmt = (v: number) => (Math.round(v * 100) / 100).toFixed(2);

/** The parameters each type needs; returns the problems (empty = valid). */
export function validateAlertRule(type: AlertRuleType, p: AlertRuleParams): string[] {
  const problems: string[] = [];
  const needsThreshold = type === 'price_above' || type === 'price_below' || type === 'daily_spread_above' || type === 'forecast_error_above';
  if (needsThreshold && (typeof p.threshold_usd_per_mwh !== 'number' || !Number.isFinite(p.threshold_usd_per_mwh))) {
    problems.push('threshold_usd_per_mwh is required');
  }
  if ((type === 'price_above' || type === 'price_below' || type === 'daily_spread_above') && (!p.market_zone || !p.location)) {
    problems.push('market_zone and location are required');
  }
  if ((type === 'daily_spread_above' || type === 'forecast_error_above') && (p.threshold_usd_per_mwh ?? 0) < 0) {
    problems.push('threshold_usd_per_mwh must not be negative');
  }
  if (type === 'gate_closure_drafts' && (typeof p.minutes_before !== 'number' || p.minutes_before < 1 || p.minutes_before > 7 * 24 * 60)) {
    problems.push('minutes_before must be from 1 to 10080');
  }
  return problems;
}

/**
 * Whether `event` concerns `rule` at all (its kind, zone, location, run, asset): events it
 * does not concern leave the rule's state as it is, so an evaluator that keeps state
 * elsewhere need not read it for them.
 */
export function alertRuleConcerns(rule: AlertRuleDefinition, event: AlertEvent): boolean {
  const p = rule.params;
  if (ALERT_EVENT_KINDS[rule.type] !== event.kind) return false;
  switch (event.kind) {
    case 'price':
      return sameText(p.market_zone, event.market_zone) && sameText(p.location, event.location) && sameText(p.run, event.run);
    case 'forecast_error':
      return sameText(p.market_zone, event.market_zone) && sameText(p.location, event.location);
    default:
      return sameText(p.asset_id, event.asset_id);
  }
}

export function evaluateAlertRule(rule: AlertRuleDefinition, event: AlertEvent, state: AlertRuleState): AlertStep {
  const p = rule.params;
  if (ALERT_EVENT_KINDS[rule.type] !== event.kind) return { state, trigger: null };
  switch (event.kind) {
    case 'price': {
      if (!sameText(p.market_zone, event.market_zone) || !sameText(p.location, event.location) || !sameText(p.run, event.run)) return { state, trigger: null };
      const threshold = p.threshold_usd_per_mwh!;
      if (rule.type === 'daily_spread_above') return spreadStep(rule, event, state, threshold);
      const inCondition = rule.type === 'price_above' ? event.lmp > threshold : event.lmp < threshold;
      const was = state?.kind === 'price' ? state.in_condition : false;
      const next: AlertRuleState = { kind: 'price', in_condition: inCondition };
      if (!inCondition || was) return { state: next, trigger: null };
      const word = rule.type === 'price_above' ? 'above' : 'below';
      return {
        state: next,
        trigger: {
          occurrence_key: `${rule.id}:${event.run}:${event.interval_start}`,
          severity: 'warning',
          title: `${event.location} price ${word} ${fmt(threshold)} $/MWh`,
          message: `${event.market_zone.toUpperCase()} ${event.location} ${event.run} LMP is ${fmt(event.lmp)} $/MWh at ${event.interval_start}, ${word} your threshold of ${fmt(threshold)} $/MWh.`,
          data: { market_zone: event.market_zone, location: event.location, run: event.run, interval_start: event.interval_start, lmp: event.lmp, threshold_usd_per_mwh: threshold },
        },
      };
    }
    case 'bid_status': {
      if (event.status !== 'rejected' || !sameText(p.asset_id, event.asset_id)) return { state, trigger: null };
      return {
        state,
        trigger: {
          occurrence_key: `${rule.id}:${event.bid_id}:${event.version}`,
          severity: 'critical',
          title: `Bid rejected (${event.market} ${event.delivery_date})`,
          message: event.message ? `Your bid ${event.bid_id} was rejected: ${event.message}` : `Your bid ${event.bid_id} for ${event.delivery_date} was rejected.`,
          data: { bid_id: event.bid_id, asset_id: event.asset_id, market: event.market, delivery_date: event.delivery_date, version: event.version },
        },
      };
    }
    case 'award': {
      if (!sameText(p.asset_id, event.asset_id)) return { state, trigger: null };
      return {
        state,
        trigger: {
          occurrence_key: `${rule.id}:${event.bid_id}:${event.delivery_date}`,
          severity: 'info',
          title: `Award received (${event.market} ${event.run} ${event.delivery_date})`,
          message: `Bid ${event.bid_id} at ${event.location} cleared for ${fmt(event.total_mwh)} MWh (${event.mode}).`,
          data: { bid_id: event.bid_id, asset_id: event.asset_id, market: event.market, location: event.location, run: event.run, delivery_date: event.delivery_date, total_mwh: event.total_mwh },
        },
      };
    }
    case 'gate_closure': {
      if (!sameText(p.asset_id, event.asset_id) || event.minutes_left > (p.minutes_before ?? 0)) return { state, trigger: null };
      return {
        state,
        trigger: {
          occurrence_key: `${rule.id}:${event.bid_id}:${event.gate_closure}`,
          severity: 'warning',
          title: `Gate closes in ${Math.max(0, Math.round(event.minutes_left))} min with a draft bid`,
          message: `Bid ${event.bid_id} for ${event.market} ${event.delivery_date} is still a draft; the gate closes at ${event.gate_closure}.`,
          data: { bid_id: event.bid_id, asset_id: event.asset_id, market: event.market, delivery_date: event.delivery_date, gate_closure: event.gate_closure },
        },
      };
    }
    case 'forecast_error': {
      if (!sameText(p.market_zone, event.market_zone) || !sameText(p.location, event.location)) return { state, trigger: null };
      const threshold = p.threshold_usd_per_mwh!;
      if (!(event.error_usd_per_mwh > threshold)) return { state, trigger: null };
      return {
        state,
        trigger: {
          occurrence_key: `${rule.id}:${event.market_zone}:${event.location}:${event.model}:${event.delivery_date}`,
          severity: 'warning',
          title: `Forecast error above ${fmt(threshold)} $/MWh`,
          message: `The ${event.model} forecast for ${event.location} on ${event.delivery_date} missed by ${fmt(event.error_usd_per_mwh)} $/MWh (${event.metric}).`,
          data: { ...event, threshold_usd_per_mwh: threshold },
        },
      };
    }
  }
}

/** Daily spread = max − min LMP seen so far in the market day; triggers once per day when it exceeds the threshold. */
function spreadStep(rule: AlertRuleDefinition, event: Extract<AlertEvent, { kind: 'price' }>, state: AlertRuleState, threshold: number): AlertStep {
  let s = state?.kind === 'spread' && state.day === event.day ? state : { kind: 'spread' as const, day: event.day, min: event.lmp, max: event.lmp, fired: false };
  s = { ...s, min: Math.min(s.min, event.lmp), max: Math.max(s.max, event.lmp) };
  const spread = s.max - s.min;
  if (s.fired || !(spread > threshold)) return { state: s, trigger: null };
  return {
    state: { ...s, fired: true },
    trigger: {
      occurrence_key: `${rule.id}:${event.day}`,
      severity: 'warning',
      title: `${event.location} daily spread above ${fmt(threshold)} $/MWh`,
      message: `${event.market_zone.toUpperCase()} ${event.location} spread on ${event.day} reached ${fmt(spread)} $/MWh (min ${fmt(s.min)}, max ${fmt(s.max)}).`,
      data: { market_zone: event.market_zone, location: event.location, day: event.day, min_lmp: s.min, max_lmp: s.max, spread_usd_per_mwh: spread, threshold_usd_per_mwh: threshold },
    },
  };
}
