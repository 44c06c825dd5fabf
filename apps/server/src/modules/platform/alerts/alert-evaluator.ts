/**
 * Evaluates alert rules as events arrive on the event log: `prices:*`
 * (price_update ticks and da_prices batches) and `org:*` (bid_status, award,
 * forecast_error), each read by one durable consumer group shared by every
 * instance (`alerts-market`, `alerts-trading`), so each message is evaluated
 * once across instances, and what was published while no instance evaluated
 * is evaluated when one is back. A price rule's crossing state lives in
 * PostgreSQL (alert_rule_states), read and written under a row lock together
 * with the notification it raises, so consecutive ticks of one rule may be
 * handled by different instances; each rule also remembers per run the newest
 * event it applied, so a redelivered or overtaken tick changes nothing.
 * Event rules hold no state: the notification's unique (user, occurrence) key
 * makes a redelivered event notify nobody twice.
 *
 * Which rules exist is kept in memory per instance (for price rules only a
 * prefilter: each is re-read under its lock) and reloaded when any instance
 * changes one (`platform:alert_rules`, live). A notification is sent by the
 * handler that stored it, after the commit; one left unsent by an instance
 * killed in between is sent by any instance's sweep (alert-delivery.ts). Gate-closure warnings are timers that every
 * instance arms when a draft bid appears (live `org:*`) and for the drafts that
 * exist at start, each re-checking its bid once when it fires; the notification's
 * unique key lets only one of them notify.
 */
import {
  ALERT_EVENT_KINDS,
  alertRuleConcerns,
  evaluateAlertRule,
  type AlertEvent,
  type AlertRuleDefinition,
  type AlertRuleState,
  type AlertRuleType,
} from '@optibid/core';
import type { ServerContext } from '../../../context.js';
import type { Delivery, StopDurable } from '../../../bus/types.js';
import type { AlertRuleRow, LockedRuleState, PlatformRepositories, RuleStep } from '../../../db/repositories/platform/index.js';
import type { Mailer } from '../../../mail/mailer.js';
import { AlertDelivery, notificationOf } from './alert-delivery.js';
import { orgEventOf, priceEventsOf, type MarkedPriceEvent } from './alert-events.js';

export const RULES_CHANNEL = 'platform:alert_rules';
/** The evaluator's consumer groups, one per stream it reads (a durable pattern lies within one stream). */
export const ALERT_CONSUMERS = { market: 'alerts-market', trading: 'alerts-trading' } as const;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A notification unsent this long after it was stored lost its sender (killed after the commit): the sweep sends it. */
const UNSENT_AFTER_MS = 30_000;

interface LiveRule {
  row: AlertRuleRow;
  def: AlertRuleDefinition;
}

interface Log {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

function definitionOf(row: AlertRuleRow): AlertRuleDefinition | null {
  const type = row.type as AlertRuleType;
  return ALERT_EVENT_KINDS[type] ? { id: row.id, type, params: row.params } : null;
}

const later = (a: [number, number], b: [number, number]) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

export class AlertEvaluator {
  private byKind = new Map<AlertEvent['kind'], LiveRule[]>();
  private readonly unsubscribers: (() => void)[] = [];
  private readonly durable: StopDurable[] = [];
  private readonly gateTimers = new Map<string, NodeJS.Timeout>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly delivery: AlertDelivery;
  private pending: Promise<unknown> = Promise.resolve();
  private stopped = true;
  /** Messages of each group this instance evaluated against at least one rule. */
  private readonly evaluated = { market: 0, trading: 0 };
  /** Deliveries the bus handed out again (a handler failed, or a member died or stalled past the ack wait). */
  private redelivered = 0;

  constructor(
    private readonly ctx: ServerContext,
    private readonly repos: PlatformRepositories,
    mailer: Mailer,
    private readonly log: Log,
  ) {
    this.delivery = new AlertDelivery(ctx, repos, mailer);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.reload();
    this.unsubscribers.push(
      this.ctx.bus.subscribe(RULES_CHANNEL, () => this.track(this.reload())),
      this.ctx.bus.subscribe('org:*', (msg, channel) => this.armOnDraft(msg, channel)),
    );
    this.durable.push(
      await this.ctx.bus.subscribeDurable('prices:*', ALERT_CONSUMERS.market, (msg, d) => this.tracked(this.onPrices(msg, d))),
      await this.ctx.bus.subscribeDurable('org:*', ALERT_CONSUMERS.trading, (msg, d) => this.tracked(this.onOrgEvent(msg, d))),
    );
    this.sweepTimer = setInterval(() => this.track(this.sendUnsent()), UNSENT_AFTER_MS);
    this.sweepTimer.unref();
  }

  /** Sends the notifications stored more than `olderThanMs` ago and never sent; resolves to how many. */
  async sendUnsent(olderThanMs = UNSENT_AFTER_MS): Promise<number> {
    return this.delivery.sendUnsent(new Date(Date.now() - olderThanMs));
  }

  /** Stops this instance's members after their current message (the groups keep their position) and the timers. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const u of this.unsubscribers.splice(0)) u();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await Promise.all(this.durable.splice(0).map((s) => s()));
    for (const t of this.gateTimers.values()) clearTimeout(t);
    this.gateTimers.clear();
    await this.idle();
  }

  info(): { rules: number; gate_timers: number; consumers: string[]; evaluated: { market: number; trading: number }; redeliveries: number } {
    let rules = 0;
    for (const list of this.byKind.values()) rules += list.length;
    return { rules, gate_timers: this.gateTimers.size, consumers: Object.values(ALERT_CONSUMERS), evaluated: { ...this.evaluated }, redeliveries: this.redelivered };
  }

  /**
   * Resolves when every handling started so far has finished and, where the bus can tell
   * (memory, NATS) and this instance runs members, its groups hold no message not yet
   * acknowledged; at most `timeoutMs` (tests wait on it).
   */
  async idle(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      let last: Promise<unknown>;
      do {
        last = this.pending;
        await last.catch(() => undefined);
      } while (last !== this.pending);
      if (this.stopped || !this.ctx.bus.consumerLag || Date.now() > until) return;
      const names: string[] = Object.values(ALERT_CONSUMERS);
      const lag = await this.ctx.bus.consumerLag().catch(() => []);
      if (!lag.some((l) => names.includes(l.consumer) && l.pending + l.unacknowledged > 0)) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Reloads the rule index (the state stays in the database). */
  async reload(): Promise<void> {
    const rows = await this.repos.alerts.listEnabledRules();
    const next = new Map<AlertEvent['kind'], LiveRule[]>();
    for (const row of rows) {
      const def = definitionOf(row);
      if (!def) continue;
      const kind = ALERT_EVENT_KINDS[def.type];
      next.set(kind, [...(next.get(kind) ?? []), { row, def }]);
    }
    this.byKind = next;
    await this.scheduleExistingDrafts();
  }

  /**
   * One message of `prices:*`: the price rules it concerns are evaluated in one
   * transaction. Rejects (so the message is redelivered) only when the database
   * could not be written; then nothing of it was stored.
   */
  async onPrices(raw: unknown, delivery: Pick<Delivery, 'channel'> & Partial<Delivery>): Promise<void> {
    if ((delivery.attempt ?? 1) > 1) this.redelivered++;
    const events = priceEventsOf(raw, delivery.channel, this.ctx.catalogue);
    if (events.length === 0) return;
    const ruleIds = (this.byKind.get('price') ?? []).filter((r) => events.some((e) => alertRuleConcerns(r.def, e.event))).map((r) => r.row.id);
    if (ruleIds.length === 0) return;
    this.evaluated.market++;
    const fired = await this.repos.alertStates.evaluate(ruleIds, null, (locked) => this.priceStep(locked, events));
    await this.send(fired);
  }

  /** The next state of one locked price rule over the message's events, or null if none concerns it. */
  private priceStep(locked: LockedRuleState, events: MarkedPriceEvent[]): RuleStep | null {
    const def = definitionOf(locked.rule);
    if (!def || ALERT_EVENT_KINDS[def.type] !== 'price') return null;
    let state = locked.current ? (locked.state as AlertRuleState) : null;
    const applied = locked.current ? { ...locked.applied } : {};
    const notifications: RuleStep['notifications'] = [];
    let changed = false;
    for (const { event, mark } of events) {
      if (!alertRuleConcerns(def, event)) continue;
      const last = applied[event.run];
      // Already applied (a redelivery), or older than what another instance applied since: a stale reading.
      if (last && !later(mark, last)) continue;
      const step = evaluateAlertRule(def, event, state);
      state = step.state;
      applied[event.run] = mark;
      changed = true;
      if (step.trigger) notifications.push(notificationOf(locked.rule, step.trigger));
    }
    return changed ? { state, applied, notifications } : null;
  }

  /** One message of `org:*`: bid, award and forecast-error rules of that organisation only. */
  async onOrgEvent(raw: unknown, delivery: Pick<Delivery, 'channel'> & Partial<Delivery>): Promise<void> {
    if ((delivery.attempt ?? 1) > 1) this.redelivered++;
    const org = delivery.channel.slice('org:'.length);
    const event = orgEventOf(raw);
    if (!event) return;
    const rules = (this.byKind.get(event.kind) ?? []).filter((r) => r.row.organization_id === org && alertRuleConcerns(r.def, event));
    if (rules.length === 0) return;
    this.evaluated.trading++;
    await this.evaluateStateless(rules, event);
  }

  /** Rules without state: each trigger is stored once per (user, occurrence), and sent only by whoever stored it. */
  private async evaluateStateless(rules: LiveRule[], event: AlertEvent): Promise<void> {
    for (const rule of rules) {
      const { trigger } = evaluateAlertRule(rule.def, event, null);
      if (!trigger) continue;
      const row = await this.repos.alerts.insertNotification({
        ...notificationOf(rule.row, trigger),
        organization_id: rule.row.organization_id,
        user_id: rule.row.user_id,
        rule_id: rule.row.id,
      });
      if (row) await this.send([{ rule: rule.row, notification: row }]);
    }
  }

  /** After the notifications are committed: a failure here is logged, not redelivered (the evaluation is done). */
  private async send(fired: { rule: AlertRuleRow; notification: Parameters<AlertDelivery['send']>[1] }[]): Promise<void> {
    for (const f of fired) {
      await this.delivery.send(f.rule, f.notification).catch((err: Error) => this.log.error({ err: err.message, notification_id: f.notification.id }, 'alerts: delivery failed'));
    }
  }

  /** A durable handling, for idle(); its rejection still reaches the bus (which redelivers). */
  private tracked(p: Promise<void>): Promise<void> {
    this.chain(p.catch(() => undefined));
    return p;
  }

  private track(p: Promise<unknown>): void {
    this.chain(p.catch((err: Error) => this.log.error({ err: err.message }, 'alerts: failed')));
  }

  private chain(p: Promise<unknown>): void {
    // Settles to undefined, so a long run of messages does not leave a nested chain of results behind.
    this.pending = Promise.all([this.pending, p]).then(() => undefined);
  }

  // ---- gate closure ------------------------------------------------------------------------

  private armOnDraft(raw: unknown, channel: string): void {
    if (this.stopped || !raw || typeof raw !== 'object') return;
    const m = raw as Record<string, unknown>;
    if (m.type !== 'bid_status' || m.status !== 'draft' || typeof m.bid_id !== 'string') return;
    const org = channel.slice('org:'.length);
    if (this.byKind.get('gate_closure')?.some((r) => r.row.organization_id === org)) this.track(this.scheduleBid(org, m.bid_id));
  }

  private async scheduleExistingDrafts(): Promise<void> {
    const orgs = new Set((this.byKind.get('gate_closure') ?? []).map((r) => r.row.organization_id));
    if (orgs.size === 0) return;
    const rows = await this.repos.alerts.openDrafts([...orgs], new Date());
    for (const b of rows) await this.scheduleBid(b.organization_id, b.id);
  }

  private async loadDraft(organizationId: string, bidId: string) {
    if (!/^[0-9a-f-]{36}$/i.test(bidId)) return null;
    return this.repos.alerts.bidForWarning(organizationId, bidId);
  }

  /** One timer per (rule, bid) at gate − minutes_before; when it fires the bid is re-read once. */
  private async scheduleBid(organizationId: string, bidId: string): Promise<void> {
    const bid = await this.loadDraft(organizationId, bidId);
    if (!bid || bid.status !== 'draft' || this.stopped) return;
    for (const rule of this.byKind.get('gate_closure') ?? []) {
      if (rule.row.organization_id !== organizationId) continue;
      const key = `${rule.row.id}:${bid.id}`;
      if (this.gateTimers.has(key)) continue;
      const at = bid.gate_closure.getTime() - (rule.def.params.minutes_before ?? 0) * 60_000;
      const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now()));
      if (bid.gate_closure.getTime() <= Date.now()) continue;
      const timer = setTimeout(() => {
        this.gateTimers.delete(key);
        this.track(this.fireGate(organizationId, bid.id, at));
      }, delay);
      timer.unref();
      this.gateTimers.set(key, timer);
    }
  }

  private async fireGate(organizationId: string, bidId: string, dueAt: number): Promise<void> {
    // A timer capped at the platform's maximum delay re-arms instead of firing early.
    if (Date.now() < dueAt - 1000) return this.scheduleBid(organizationId, bidId);
    const bid = await this.loadDraft(organizationId, bidId);
    if (!bid || bid.status !== 'draft' || this.stopped) return;
    const event: AlertEvent = {
      kind: 'gate_closure',
      bid_id: bid.id,
      asset_id: bid.asset_id,
      market: bid.market,
      delivery_date: bid.delivery_date,
      gate_closure: bid.gate_closure.toISOString(),
      minutes_left: (bid.gate_closure.getTime() - Date.now()) / 60_000,
    };
    const rules = (this.byKind.get('gate_closure') ?? []).filter((r) => r.row.organization_id === organizationId && alertRuleConcerns(r.def, event));
    await this.evaluateStateless(rules, event);
  }
}
