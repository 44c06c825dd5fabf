/**
 * Sessions end everywhere. A WebSocket is authenticated once, when it is
 * admitted; afterwards only this tells it that its session is over. Whoever
 * ends sessions (logout, revocation, refresh-token reuse, password change or
 * reset, role change, membership removal, user deactivation, API-key
 * revocation) publishes one `sessions_ended` message on the bus after the
 * change is stored; every instance's hub closes the sockets it matches with
 * 4401 and a reason. The channel is live only (not kept in the event log): a
 * socket exists only on a running instance, and one that connects later is
 * authenticated against the database, which already says the session ended.
 */
import type { SessionEndReason, SessionsEndedMessage } from '@optibid/contracts';
import type { Bus } from '../bus/index.js';
import type { AuthContext } from '../http/auth-context.js';

export const SESSIONS_ENDED_CHANNEL = 'auth:sessions_ended' as const;

/** The WebSocket close reason for each cause (≤ 123 bytes). */
export const SESSION_END_TEXT: Record<SessionEndReason, string> = {
  logout: 'session ended: signed out',
  session_revoked: 'session ended: revoked',
  refresh_reuse: 'session ended: refresh token reuse detected',
  account_inactive: 'session ended: account no longer active',
  password_changed: 'session ended: password changed',
  password_reset: 'session ended: password reset',
  role_changed: 'session ended: your role changed; reconnect to continue with the new role',
  membership_removed: 'session ended: membership removed from the organisation',
  left_organization: 'session ended: you left the organisation',
  user_deactivated: 'session ended: account deactivated',
  api_key_revoked: 'session ended: API key revoked',
};

/** Which sockets a message ends. */
export type SessionEndSelector = Omit<SessionsEndedMessage, 'type' | 'timestamp' | 'reason'>;

/** Whether a socket admitted as `auth` is one the message ends. */
export function endsSession(msg: SessionEndSelector, auth: AuthContext): boolean {
  if (auth.session_id && msg.session_ids?.includes(auth.session_id)) return true;
  if (msg.api_key_id && auth.api_key_id === msg.api_key_id) return true;
  if (!msg.user_id || auth.user_id !== msg.user_id || (auth.via !== 'jwt' && !msg.with_api_keys)) return false;
  if (msg.organization_id && auth.organization_id !== msg.organization_id) return false;
  return !msg.except_session_id || auth.session_id !== msg.except_session_id;
}

export interface SessionEndLog {
  warn(obj: object, msg?: string): void;
}

/** Publishes `sessions_ended`; built once by the composition root and handed to the services that end sessions. */
export class SessionEnds {
  constructor(
    private readonly bus: Pick<Bus, 'publish'>,
    private readonly log: SessionEndLog,
  ) {}

  /**
   * Call after the change is committed. A bus failure is logged, never thrown: the change
   * stands and new requests and sockets are refused by the database check, but sockets
   * already open on instances the message did not reach stay open until they disconnect.
   */
  async ended(reason: SessionEndReason, which: SessionEndSelector): Promise<void> {
    const message: SessionsEndedMessage = { type: 'sessions_ended', reason, ...which, timestamp: new Date().toISOString() };
    await this.bus.publish(SESSIONS_ENDED_CHANNEL, message).catch((err: Error) => this.log.warn({ err: err.message, reason }, 'could not announce ended sessions on the bus'));
  }
}
