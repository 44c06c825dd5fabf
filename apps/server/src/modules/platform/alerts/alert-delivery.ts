/**
 * What happens to a notification once it is stored: an `alert` on the user's
 * organisation channel (the WebSocket hub sends it to the user's sockets) and,
 * when the rule asks, an email. The handler that inserted it sends it after
 * the commit; whoever sends first marks it sent (`sent_at`), so an occurrence
 * is sent once, and one whose instance died before sending is found unsent
 * and sent by any instance's sweep.
 */
import { randomUUID } from 'node:crypto';
import type { AlertTrigger } from '@optibid/core';
import type { AlertEventMessage } from '@optibid/contracts';
import type { ServerContext } from '../../../context.js';
import type { AlertRuleRow, NotificationRow, PlatformRepositories } from '../../../db/repositories/platform/index.js';
import type { Mailer } from '../../../mail/mailer.js';

/** A trigger as the notifications table stores it. */
export function notificationOf(rule: AlertRuleRow, trigger: AlertTrigger) {
  return {
    occurrence_key: trigger.occurrence_key,
    category: rule.type,
    severity: trigger.severity,
    title: trigger.title,
    message: trigger.message,
    data: trigger.data,
  };
}

export class AlertDelivery {
  constructor(
    private readonly ctx: Pick<ServerContext, 'bus' | 'repos'>,
    private readonly repos: PlatformRepositories,
    private readonly mailer: Mailer,
  ) {}

  /** Sends a notification just stored, unless someone else took it. */
  async send(rule: AlertRuleRow, row: NotificationRow): Promise<void> {
    if (await this.repos.alerts.claimSend(row.id)) await this.sendClaimed(rule, row);
  }

  /** Sends the notifications stored before `before` and never sent; resolves to how many. */
  async sendUnsent(before: Date, limit = 100): Promise<number> {
    const claimed = await this.repos.alerts.claimUnsent(before, limit);
    for (const c of claimed) await this.sendClaimed(c.rule, c.notification);
    return claimed.length;
  }

  private async sendClaimed(rule: AlertRuleRow, row: NotificationRow): Promise<void> {
    const market_zone = typeof row.data.market_zone === 'string' ? row.data.market_zone : null;
    const message: AlertEventMessage = {
      type: 'alert',
      alert_id: randomUUID(),
      notification_id: row.id,
      user_id: rule.user_id,
      rule_id: rule.id,
      severity: row.severity,
      title: row.title,
      message: row.message,
      market_zone,
      category: rule.type,
      data: row.data,
      timestamp: new Date(row.created_at).toISOString(),
    };
    await this.ctx.bus.publish(`org:${rule.organization_id}`, message);
    if (rule.email) {
      const user = await this.ctx.repos.accounts.findUser(rule.user_id);
      if (!user) return;
      const sent = await this.mailer.trySend({
        to: user.email,
        subject: `[OptiBid alert] ${row.title}`,
        text: `${row.message}\n\nRule: ${rule.name}\nTime: ${message.timestamp}\n\nYou receive this because the rule asks for email; change it under Alerts.`,
      });
      if (sent.delivered) await this.repos.alerts.markEmailed(row.id, new Date());
    }
  }
}
