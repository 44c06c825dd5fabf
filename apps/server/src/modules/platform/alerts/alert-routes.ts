/** Alert rules per user and the in-app notification list: thin routes over AlertService. */
import { Type } from 'typebox';
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
} from '@optibid/contracts';
import { authOf, requestMeta } from '../../../http/auth-hook.js';
import type { App } from '../../../http/types.js';
import type { AlertService } from './alert-service.js';

export function alertRoutes(app: App, alerts: AlertService): void {
  const tags = ['alerts'];

  app.get('/api/alerts/rules', {
    config: { access: 'alerts:manage' },
    schema: { tags, summary: 'Your alert rules', response: { 200: Type.Object({ items: Type.Array(AlertRuleView) }), ...errorResponses } },
    handler: async (req) => ({ items: await alerts.listRules(authOf(req)) }),
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
    handler: async (req, reply) => reply.code(201).send(await alerts.createRule(authOf(req), req.body, requestMeta(req))),
  });

  app.patch('/api/alerts/rules/:id', {
    config: { access: 'alerts:manage' },
    schema: { tags, summary: 'Change an alert rule', params: IdParams, body: PatchAlertRuleBody, response: { 200: AlertRuleView, ...errorResponses } },
    handler: async (req) => alerts.updateRule(authOf(req), req.params.id, req.body),
  });

  app.delete('/api/alerts/rules/:id', {
    config: { access: 'alerts:manage' },
    schema: { tags, summary: 'Delete an alert rule', params: IdParams, response: { 200: OkBody, ...errorResponses } },
    handler: async (req) => {
      await alerts.deleteRule(authOf(req), req.params.id);
      return { ok: true };
    },
  });

  app.get('/api/notifications', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Your notifications, newest first', querystring: NotificationsQuery, response: { 200: NotificationsResponse, ...errorResponses } },
    handler: async (req) => alerts.notifications(authOf(req), req.query),
  });

  app.post('/api/notifications/read', {
    config: { access: 'authenticated' },
    schema: { tags, summary: 'Mark notifications read (some ids, or all)', body: MarkReadBody, response: { 200: MarkReadResponse, ...errorResponses } },
    handler: async (req) => alerts.markRead(authOf(req), req.body),
  });
}
