/**
 * Evaluates alert rules as events arrive on the bus: `prices:*` (price_update
 * ticks and da_prices batches), `org:*` (bid_status, award, forecast_error).
 * Gate-closure warnings are timers set when a draft bid appears (and for the
 * drafts that exist at start), each re-checking its bid once when it fires —
 * no loop polls the database. Rules live in memory and are reloaded when any
 * instance changes one (`platform:alert_rules`). A trigger becomes a
 * notification stored once per (user, occurrence), then an `alert` on the
 * user's organisation channel and, when the rule asks, an email.
 */
import { randomUUID } from 'node:crypto';
import {
  ALERT_EVENT_KINDS,
  evaluateAlertRule,
  localDateOf,
  parseIsoId,
  type AlertEvent,
  type AlertRuleDefinition,
  type AlertRuleState,
  type AlertRuleType,
  type AlertTrigger,
} from '@optibid/core';
import type { AlertEventMessage } from '@optibid/contracts';
import type { ServerContext } from '../../../context.js';
import type { AlertRuleRow, PlatformRepositories } from '../../../db/repositories/platform/index.js';
import type { Mailer } from '../../../mail/mailer.js';

export const RULES_CHANNEL = 'platform:alert_rules';
const MAX_TIMER_MS = 2 ** 31 - 1;

interface LiveRule {
  row: AlertRuleRow;
  def: AlertRuleDefinition;
  state: AlertRuleState;
}

interface Log {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export class AlertEvaluator {
  private byKind = new Map<AlertEvent['kind'], LiveRule[]>();
  private readonly unsubscribers: (() => void)[] = [];
  private readonly gateTimers = new Map<string, NodeJS.Timeout>();
  private pending: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly repos: PlatformRepositories,
    private readonly mailer: Mailer,
    private readonly log: Log,
  ) {}

  async start(): Promise<void> {
    await this.reload();
    this.unsubscribers.push(
      this.ctx.bus.subscribe('prices:*', (msg, channel) => this.onPrices(msg, channel)),
      this.ctx.bus.subscribe('org:*', (msg, channel) => this.onOrgEvent(msg, channel)),
      this.ctx.bus.subscribe(RULES_CHANNEL, () => this.track(this.reload())),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const u of this.unsubscribers.splice(0)) u();
    for (const t of this.gateTimers.values()) clearTimeout(t);
    this.gateTimers.clear();
    await this.idle();
  }

  info(): { rules: number; gate_timers: number } {
    let rules = 0;
    for (const list of this.byKind.values()) rules += list.length;
    return { rules, gate_timers: this.gateTimers.size };
  }

  /** Resolves when every delivery started so far has finished (tests wait on it). */
  async idle(): Promise<void> {
    let last: Promise<unknown>;
    do {
      last = this.pending;
      await last.catch(() => undefined);
    } while (last !== this.pending);
  }

  /** Reloads the rules, keeping the crossing state of rules that did not change. */
  async reload(): Promise<void> {
    const rows = await this.repos.alerts.listEnabledRules();
    const previous = new Map<string, LiveRule>();
    for (const list of this.byKind.values()) for (const r of list) previous.set(r.row.id, r);
    const next = new Map<AlertEvent['kind'], LiveRule[]>();
    for (const row of rows) {
      const type = row.type as AlertRuleType;
      const kind = ALERT_EVENT_KINDS[type];
      if (!kind) continue;
      const old = previous.get(row.id);
      const same = old && old.row.updated_at.getTime() === row.updated_at.getTime();
      const live: LiveRule = { row, def: { id: row.id, type, params: row.params }, state: same ? old.state : null };
      next.set(kind, [...(next.get(kind) ?? []), live]);
    }
    this.byKind = next;
    await this.scheduleExistingDrafts();
  }

  private onPrices(raw: unknown, channel: string): void {
    const iso = parseIsoId(channel.slice('prices:'.length));
    if (!iso || !raw || typeof raw !== 'object') return;
    const m = raw as Record<string, unknown>;
    const tz = this.timezoneOf(iso);
    const zone = iso.toLowerCase();
    if (m.type === 'price_update' && typeof m.location === 'string' && typeof m.interval_start === 'string' && typeof m.lmp === 'number') {
      const run = typeof m.run === 'string' ? m.run.toUpperCase() : 'RT';
      this.dispatch(null, { kind: 'price', market_zone: zone, location: m.location, run, interval_start: m.interval_start, lmp: m.lmp, day: this.dayOf(m.interval_start, tz) });
    } else if (m.type === 'da_prices' && typeof m.location === 'string' && Array.isArray(m.items)) {
      for (const it of m.items as Record<string, unknown>[]) {
        if (typeof it?.interval_start !== 'string' || typeof it.lmp_usd_per_mwh !== 'number') continue;
        this.dispatch(null, {
          kind: 'price',
          market_zone: zone,
          location: m.location,
          run: 'DA',
          interval_start: it.interval_start,
          lmp: it.lmp_usd_per_mwh,
          day: typeof m.delivery_date === 'string' ? m.delivery_date : this.dayOf(it.interval_start, tz),
        });
      }
    }
  }

  private onOrgEvent(raw: unknown, channel: string): void {
    if (!raw || typeof raw !== 'object') return;
    const org = channel.slice('org:'.length);
    const m = raw as Record<string, unknown>;
    const s = (k: string) => (typeof m[k] === 'string' ? (m[k] as string) : '');
    if (m.type === 'bid_status') {
      this.dispatch(org, {
        kind: 'bid_status',
        bid_id: s('bid_id'),
        asset_id: s('asset_id'),
        market: s('market'),
        status: s('status'),
        version: typeof m.version === 'number' ? m.version : 0,
        delivery_date: s('delivery_date'),
        message: s('message') || undefined,
      });
      if (m.status === 'draft' && this.byKind.get('gate_closure')?.some((r) => r.row.organization_id === org)) {
        this.track(this.scheduleBid(org, s('bid_id')));
      }
    } else if (m.type === 'award') {
      this.dispatch(org, {
        kind: 'award',
        bid_id: s('bid_id'),
        asset_id: s('asset_id'),
        market: s('market'),
        location: s('location'),
        run: s('run'),
        delivery_date: s('delivery_date'),
        total_mwh: typeof m.total_mwh === 'number' ? m.total_mwh : 0,
        mode: s('mode'),
      });
    } else if (m.type === 'forecast_error' && typeof m.error_usd_per_mwh === 'number') {
      this.dispatch(org, {
        kind: 'forecast_error',
        market_zone: s('market_zone').toLowerCase(),
        location: s('location'),
        model: s('model'),
        delivery_date: s('delivery_date'),
        error_usd_per_mwh: m.error_usd_per_mwh,
        metric: s('metric') || 'mae',
      });
    }
  }

  /** Evaluates synchronously (state changes stay in arrival order); deliveries run in the background. */
  private dispatch(organizationId: string | null, event: AlertEvent): void {
    if (this.stopped) return;
    for (const rule of this.byKind.get(event.kind) ?? []) {
      if (organizationId && rule.row.organization_id !== organizationId) continue;
      const step = evaluateAlertRule(rule.def, event, rule.state);
      rule.state = step.state;
      if (step.trigger) this.track(this.deliver(rule.row, step.trigger));
    }
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err: Error) => this.log.error({ err: err.message }, 'alerts: delivery failed'));
    this.pending = Promise.all([this.pending, tracked]);
  }

  private async deliver(rule: AlertRuleRow, trigger: AlertTrigger): Promise<void> {
    const row = await this.repos.alerts.insertNotification({
      organization_id: rule.organization_id,
      user_id: rule.user_id,
      rule_id: rule.id,
      occurrence_key: trigger.occurrence_key,
      category: rule.type,
      severity: trigger.severity,
      title: trigger.title,
      message: trigger.message,
      data: trigger.data,
    });
    // Another instance (or an earlier identical event) already notified this occurrence.
    if (!row) return;
    const message: AlertEventMessage = {
      type: 'alert',
      alert_id: randomUUID(),
      notification_id: row.id,
      user_id: rule.user_id,
      rule_id: rule.id,
      severity: trigger.severity,
      title: trigger.title,
      message: trigger.message,
      market_zone: typeof trigger.data.market_zone === 'string' ? trigger.data.market_zone : null,
      category: rule.type,
      data: trigger.data,
      timestamp: row.created_at.toISOString(),
    };
    await this.ctx.bus.publish(`org:${rule.organization_id}`, message);
    if (rule.email) {
      const user = await this.ctx.repos.accounts.findUser(rule.user_id);
      if (!user) return;
      const sent = await this.mailer.trySend({
        to: user.email,
        subject: `[OptiBid alert] ${trigger.title}`,
        text: `${trigger.message}\n\nRule: ${rule.name}\nTime: ${message.timestamp}\n\nYou receive this because the rule asks for email; change it under Alerts.`,
      });
      if (sent.delivered) await this.repos.alerts.markEmailed(row.id, new Date());
    }
  }

  // ---- gate closure ------------------------------------------------------------------------

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
    if (!bid || bid.status !== 'draft') return;
    this.dispatch(organizationId, {
      kind: 'gate_closure',
      bid_id: bid.id,
      asset_id: bid.asset_id,
      market: bid.market,
      delivery_date: bid.delivery_date,
      gate_closure: bid.gate_closure.toISOString(),
      minutes_left: (bid.gate_closure.getTime() - Date.now()) / 60_000,
    });
  }

  private timezoneOf(iso: ReturnType<typeof parseIsoId> & string): string {
    try {
      return this.ctx.catalogue.getMarket(iso).timezone;
    } catch {
      return 'UTC';
    }
  }

  private dayOf(instant: string, tz: string): string {
    const t = Date.parse(instant);
    return Number.isFinite(t) ? localDateOf(t, tz) : instant.slice(0, 10);
  }
}
