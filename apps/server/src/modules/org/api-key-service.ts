/**
 * Organisation API keys: shown once at creation, stored as SHA-256, revocable,
 * with a last-used time. A key acts for the admin who created it with the
 * role its scopes allow (read → viewer, trade → trader), never more than that
 * admin's current role, and stops working when the admin leaves.
 */
import { randomBytes } from 'node:crypto';
import { roleRank, type Role } from '@optibid/core';
import type { ApiKeyScope, ApiKeyView, CreateApiKeyBody } from '@optibid/contracts';
import type { Repositories } from '../../db/repositories/index.js';
import type { ApiKeyRow, OrgAdminRepository } from '../../db/repositories/platform/index.js';
import { notFound, unauthorized } from '../../http/errors.js';
import type { AuthContext, RequestMeta } from '../../http/auth-context.js';
import type { SessionEnds } from '../../realtime/index.js';
import { API_KEY_PREFIX, sha256 } from '../auth/index.js';

const TOUCH_EVERY_MS = 30_000;

export function roleOfScopes(scopes: readonly string[]): Role {
  return scopes.includes('trade') ? 'trader' : 'viewer';
}

function lowerRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}

export class ApiKeyService {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repos: Repositories,
    private readonly keys: OrgAdminRepository,
    private readonly sessionEnds: SessionEnds,
  ) {}

  view(row: ApiKeyRow): ApiKeyView {
    return {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      scopes: row.scopes as ApiKeyScope[],
      role: roleOfScopes(row.scopes),
      created_by: row.created_by,
      created_at: row.created_at.toISOString(),
      last_used_at: row.last_used_at?.toISOString() ?? null,
      revoked_at: row.revoked_at?.toISOString() ?? null,
    };
  }

  async create(auth: AuthContext, body: CreateApiKeyBody, meta: RequestMeta): Promise<ApiKeyView & { key: string }> {
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await this.keys.createApiKey({
      organization_id: auth.organization_id,
      name: body.name.trim(),
      prefix: key.slice(0, API_KEY_PREFIX.length + 8),
      key_hash: sha256(key),
      scopes: [...new Set(body.scopes)].sort(),
      created_by: auth.user_id,
    });
    await this.repos.audit.record({
      organization_id: auth.organization_id,
      actor_user_id: auth.user_id,
      action: 'api_key.created',
      target_type: 'api_key',
      target_id: row.id,
      details: { name: row.name, scopes: row.scopes },
      ...meta,
    });
    return { ...this.view(row), key };
  }

  async list(auth: AuthContext): Promise<ApiKeyView[]> {
    return (await this.keys.listApiKeys(auth.organization_id)).map((r) => this.view(r));
  }

  async revoke(auth: AuthContext, id: string, meta: RequestMeta): Promise<ApiKeyView> {
    const row = await this.keys.revokeApiKey(auth.organization_id, id, new Date());
    if (!row) throw notFound('active API key');
    await this.sessionEnds.ended('api_key_revoked', { api_key_id: row.id });
    await this.repos.audit.record({ organization_id: auth.organization_id, actor_user_id: auth.user_id, action: 'api_key.revoked', target_type: 'api_key', target_id: id, ...meta });
    return this.view(row);
  }

  async resolve(key: string): Promise<AuthContext> {
    const checked_at = Date.now();
    const row = key.startsWith(API_KEY_PREFIX) ? await this.keys.findApiKeyByHash(sha256(key)) : null;
    if (!row) throw unauthorized('API key is not valid');
    if (row.revoked_at) throw unauthorized('this API key was revoked');
    const [user, membership] = await Promise.all([this.repos.accounts.findUser(row.created_by), this.repos.accounts.findMembership(row.organization_id, row.created_by)]);
    if (!user?.is_active || !membership?.is_active) throw unauthorized("this API key's creator is no longer an active member");
    const now = Date.now();
    if ((this.touched.get(row.id) ?? 0) + TOUCH_EVERY_MS < now) {
      this.touched.set(row.id, now);
      await this.keys.touchApiKey(row.id, new Date(now));
    }
    return {
      user_id: row.created_by,
      organization_id: row.organization_id,
      role: lowerRole(roleOfScopes(row.scopes), membership.role as Role),
      is_platform_admin: false,
      session_id: null,
      via: 'api_key',
      api_key_id: row.id,
      checked_at,
    };
  }
}
