import type { Permission, Role } from '@optibid/core';

/** Who is calling, resolved once per request by the auth hook. */
export interface AuthContext {
  user_id: string;
  organization_id: string;
  role: Role;
  is_platform_admin: boolean;
  /** Refresh-token family of the session (null for API keys). */
  session_id: string | null;
  via: 'jwt' | 'api_key';
  /** The API key used, when via = api_key. */
  api_key_id?: string;
  /** Signed in without a second factor while the organisation requires one: only MFA enrolment is allowed. */
  mfa_pending?: boolean;
  /** When the credential was checked against the database (ms since the epoch): a WebSocket admitted with it closes if its session ended since. */
  checked_at?: number;
}

/** What a route needs: a permission, any signed-in user, a platform admin, or nothing. */
export type RouteAccess = Permission | 'authenticated' | 'platform_admin' | 'public';

export interface RequestMeta {
  ip: string;
  user_agent: string | null;
}
