/**
 * Alert rules per user and the in-app notification list: the rules checked
 * here, the rows in AlertsRepository, and every change announced on the bus so
 * each instance's evaluator reloads its rules.
 */
import { validateAlertRule, type AlertRuleType } from '@optibid/core';
import type { AlertRuleView, CreateAlertRuleBody, NotificationView, PatchAlertRuleBody } from '@optibid/contracts';
import type { ServerContext } from '../../../context.js';
import type { AlertRuleRow, NotificationRow, PlatformRepositories } from '../../../db/repositories/platform/index.js';
import type { AuthContext, RequestMeta } from '../../../http/auth-context.js';
import { badRequest, notFound, validationFailed } from '../../../http/errors.js';
import { RULES_CHANNEL } from './alert-evaluator.js';

const MAX_RULES_PER_USER = 100;

function ruleView(r: AlertRuleRow): AlertRuleView {
  return {
    id: r.id,
    name: r.name,
    type: r.type as AlertRuleType,
    params: r.params,
    email: r.email,
    enabled: r.enabled,
    last_triggered_at: r.last_triggered_at?.toISOString() ?? null,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

function notificationView(n: NotificationRow): NotificationView {
  return {
    id: n.id,
    rule_id: n.rule_id,
    category: n.category,
    severity: n.severity,
    title: n.title,
    message: n.message,
    data: n.data,
    read: n.read_at !== null,
    read_at: n.read_at?.toISOString() ?? null,
    emailed_at: n.emailed_at?.toISOString() ?? null,
    created_at: n.created_at.toISOString(),
  };
}

function checkParams(type: AlertRuleType, params: object): void {
  const problems = validateAlertRule(type, params);
  if (problems.length) throw validationFailed(`params: ${problems.join('; ')}`, problems.map((message) => ({ field: 'params', message })));
}

export class AlertService {
  constructor(
    private readonly ctx: ServerContext,
    private readonly repos: PlatformRepositories,
  ) {}

  /** Every instance's evaluator reloads its rules. */
  private changed(): Promise<void> {
    return this.ctx.bus.publish(RULES_CHANNEL, { type: 'alert_rules_changed' });
  }

  private async rule(a: AuthContext, id: string): Promise<AlertRuleRow> {
    const rule = await this.repos.alerts.findRule(a.organization_id, a.user_id, id);
    if (!rule) throw notFound('alert rule');
    return rule;
  }

  async listRules(a: AuthContext): Promise<AlertRuleView[]> {
    return (await this.repos.alerts.listRules(a.organization_id, a.user_id)).map(ruleView);
  }

  async createRule(a: AuthContext, body: CreateAlertRuleBody, meta: RequestMeta): Promise<AlertRuleView> {
    checkParams(body.type, body.params);
    if ((await this.repos.alerts.listRules(a.organization_id, a.user_id)).length >= MAX_RULES_PER_USER) throw badRequest(`at most ${MAX_RULES_PER_USER} rules per user`);
    const row = await this.repos.alerts.createRule({
      organization_id: a.organization_id,
      user_id: a.user_id,
      name: body.name.trim(),
      type: body.type,
      params: body.params,
      email: body.email ?? false,
      enabled: body.enabled ?? true,
    });
    await this.ctx.repos.audit.record({ organization_id: a.organization_id, actor_user_id: a.user_id, action: 'alert_rule.created', target_type: 'alert_rule', target_id: row.id, details: { type: row.type }, ...meta });
    await this.changed();
    return ruleView(row);
  }

  async updateRule(a: AuthContext, id: string, body: PatchAlertRuleBody): Promise<AlertRuleView> {
    const rule = await this.rule(a, id);
    if (body.params) checkParams(rule.type as AlertRuleType, body.params);
    const row = await this.repos.alerts.updateRule(rule.id, { ...body, name: body.name?.trim() });
    await this.changed();
    return ruleView(row!);
  }

  async deleteRule(a: AuthContext, id: string): Promise<void> {
    const rule = await this.rule(a, id);
    await this.repos.alerts.deleteRule(rule.id);
    await this.changed();
  }

  async notifications(a: AuthContext, q: { unread?: boolean; before?: string; limit?: number }): Promise<{ items: NotificationView[]; unread_count: number }> {
    const rows = await this.repos.alerts.listNotifications(a.organization_id, a.user_id, {
      unread: q.unread,
      before: q.before ? new Date(q.before) : undefined,
      limit: q.limit ?? 50,
    });
    return { items: rows.map(notificationView), unread_count: await this.repos.alerts.countUnread(a.organization_id, a.user_id) };
  }

  async markRead(a: AuthContext, body: { ids?: string[]; all?: boolean }): Promise<{ updated: number; unread_count: number }> {
    if (!body.all && !body.ids?.length) throw badRequest('send ids or all: true');
    const updated = await this.repos.alerts.markRead(a.organization_id, a.user_id, body.all ? 'all' : body.ids!, new Date());
    return { updated, unread_count: await this.repos.alerts.countUnread(a.organization_id, a.user_id) };
  }
}
