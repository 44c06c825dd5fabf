/** Alert rules per user and the in-app notification list. */
import { Type } from 'typebox';
import { validateAlertRule, type AlertRuleType } from '@optibid/core';
import {
  AlertRuleView,
  CreateAlertRuleBody,
  IdParams,
  MarkReadBody,
  MarkReadResponse,
  NotificationsQuery,
  NotificationsResponse,
  OkBody,
  PatchAlertRuleBody,
  errorResponses,
  type NotificationView,
} from '@optibid/contracts';
import type { ServerContext } from '../../../context.js';
import type { AlertRuleRow, NotificationRow, PlatformRepositories } from '../../../db/repositories/platform/index.js';
import { authOf, requestMeta } from '../../../http/auth-hook.js';
import { badRequest, notFound, validationFailed } from '../../../http/errors.js';
import type { App } from '../../../http/types.js';
import { RULES_CHANNEL } from './alert-evaluator.js';

const MAX_RULES_PER_USER = 100;

function ruleView(r: AlertRuleRow) {
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

export function alertRoutes(app: App, ctx: ServerContext, repos: PlatformRepositories): void {
  const tags = ['alerts'];
  // Every instance's evaluator reloads its rules.
  const changed = () => ctx.bus.publish(RULES_CHANNEL, { type: 'alert_rules_changed' });

  app.get('/api/alerts/rules', {
    config: { access: 'alerts:manage' },
    schema: { tags, summary: 'Your alert rules', response: { 200: Type.Object({ items: Type.Array(AlertRuleView) }), ...errorResponses } },
    handler: async (req) => {
      const a = authOf(req);
      return { items: (await repos.alerts.listRules(a.organization_id, a.user_id)).map(ruleView) };
    },
  });

  app.post('/api/alerts/rules', {
    config: { access: 'alerts:manage' },
    schema: {
      tags,
      summary: 'Create an alert rule',
      description:
        'Types: price_above / price_below (market_zone, location, optional run, threshold_usd_per_mwh; triggers when the price crosses), daily_spread_above (once per market day), bid_rejected, award_received (optional asset_id), gate_closure_drafts (minutes_before), forecast_error_above (threshold_usd_per_mwh). Set email to also receive it by mail.',
      body: CreateAlertRuleBody,
      response: { 201: AlertRuleView, ...errorResponses },
    },
    handler: async (req, reply) => {
      const a = authOf(req);
      checkParams(req.body.type, req.body.params);
      if ((await repos.alerts.listRules(a.organization_id, a.user_id)).length >= MAX_RULES_PER_USER) throw badRequest(`at most ${MAX_RULES_PER_USER} rules per user`);
      const row = await repos.alerts.createRule({
        organization_id: a.organization_id,
        user_id: a.user_id,
        name: req.body.name.trim(),
        type: req.body.type,
        params: req.body.params,
        email: req.body.email ?? false,
        enabled: req.body.enabled ?? true,
      });
      await ctx.repos.audit.record({ organization_id: a.organization_id, actor_user_id: a.user_id, action: 'alert_rule.created', target_type: 'alert_rule', target_id: row.id, details: { type: row.type }, ...requestMeta(req) });
      await changed();
      return reply.code(201).send(ruleView(row));
    },
  });

  app.patch('/api/alerts/rules/:id', {
    config: { access: 'alerts:manage' },
    schema: { tags, summary: 'Change an alert rule', params: IdParams, body: PatchAlertRuleBody, response: { 200: AlertRuleView, ...errorResponses } },
    handler: async (req) => {
      const a = authOf(req);
      const rule = await repos.alerts.findRule(a.organization_id, a.user_id, req.params.id);
      if (!rule) throw notFound('alert rule');
      if (req.body.params) checkParams(rule.type as AlertRuleType, req.body.params);
      const row = await repos.alerts.updateRule(rule.id, { ...req.body, name: req.body.name?.trim() });
      await changed();
      return ruleView(row!);
    },
  });

  app.delete('/api/alerts/rules/:id', {
    config: { access: 'alerts:manage' },
    schema: { tags, summary: 'Delete an alert rule', params: IdParams, response: { 200: OkBody, ...errorResponses } },
    handler: async (req) => {
      const a = authOf(req);
      const rule = await repos.alerts.findRule(a.organization_id, a.user_id, req.params.id);
      if (!rule) throw notFound('alert rule');
      await repos.alerts.deleteRule(rule.id);
      await changed();
      return { ok: true };
    },
  });

  app.get('/api/notifications', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Your notifications, newest first', querystring: NotificationsQuery, response: { 200: NotificationsResponse, ...errorResponses } },
    handler: async (req) => {
      const a = authOf(req);
      const rows = await repos.alerts.listNotifications(a.organization_id, a.user_id, {
        unread: req.query.unread,
        before: req.query.before ? new Date(req.query.before) : undefined,
        limit: req.query.limit ?? 50,
      });
      return { items: rows.map(notificationView), unread_count: await repos.alerts.countUnread(a.organization_id, a.user_id) };
    },
  });

  app.post('/api/notifications/read', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Mark notifications read (some ids, or all)', body: MarkReadBody, response: { 200: MarkReadResponse, ...errorResponses } },
    handler: async (req) => {
      const a = authOf(req);
      if (!req.body.all && !req.body.ids?.length) throw badRequest('send ids or all: true');
      const updated = await repos.alerts.markRead(a.organization_id, a.user_id, req.body.all ? 'all' : req.body.ids!, new Date());
      return { updated, unread_count: await repos.alerts.countUnread(a.organization_id, a.user_id) };
    },
  });
}
