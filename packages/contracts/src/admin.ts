/** The platform administrators' console (`/api/admin/*`). */
import { Type, type Static } from 'typebox';
import { IsoDateTime, Nullable, PageOffset, Uuid } from './common.js';
import { RoleSchema } from './auth.js';
import { UsageView } from './platform.js';

// ---- admin console -----------------------------------------------------------------------------

export const SearchQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(PageOffset),
  },
  { additionalProperties: false },
);

export const AdminOverview = Type.Object({
  organizations: Type.Integer(),
  users: Type.Integer(),
  active_users: Type.Integer(),
  active_bids: Nullable(Type.Integer()),
  websocket_connections: Nullable(Type.Integer()),
  messages_per_second: Nullable(Type.Number()),
  database_size_bytes: Nullable(Type.Number()),
  database_backend: Type.String(),
  api_requests_today: Type.Integer(),
  notifications_today: Type.Integer(),
  jobs: Type.Array(Type.Object({ name: Type.String(), status: Type.String(), detail: Type.Optional(Type.Unknown()) })),
  generated_at: IsoDateTime,
});

export const AdminOrganizationView = Type.Object({
  id: Uuid,
  name: Type.String(),
  is_demo: Type.Boolean(),
  require_mfa: Type.Boolean(),
  plan_id: Type.String(),
  members: Type.Integer(),
  active_members: Type.Integer(),
  created_at: IsoDateTime,
});
export const AdminOrganizationDetail = Type.Object({
  ...AdminOrganizationView.properties,
  member_list: Type.Array(
    Type.Object({ user_id: Uuid, email: Type.String(), name: Type.String(), role: RoleSchema, active: Type.Boolean(), joined_at: IsoDateTime }),
  ),
  usage: UsageView,
});
export const AdminOrganizationPatch = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), require_mfa: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type AdminOrganizationPatch = Static<typeof AdminOrganizationPatch>;

export const AdminUserView = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  is_active: Type.Boolean(),
  is_platform_admin: Type.Boolean(),
  mfa_enabled: Type.Boolean(),
  created_at: IsoDateTime,
  last_login_at: Nullable(IsoDateTime),
  organizations: Type.Integer(),
});
export const AdminUserDetail = Type.Object({
  ...AdminUserView.properties,
  memberships: Type.Array(Type.Object({ organization_id: Uuid, organization_name: Type.String(), role: RoleSchema, is_active: Type.Boolean() })),
  sessions: Type.Integer({ description: 'live sessions' }),
});
export const AdminUserPatch = Type.Object(
  { is_active: Type.Optional(Type.Boolean()), is_platform_admin: Type.Optional(Type.Boolean()), name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);
export type AdminUserPatch = Static<typeof AdminUserPatch>;
export const AdminMembershipParams = Type.Object({ id: Uuid, organization_id: Uuid });
export const AdminMembershipPatch = Type.Object(
  { role: Type.Optional(RoleSchema), is_active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type AdminMembershipPatch = Static<typeof AdminMembershipPatch>;

export const AdminSystem = Type.Object({
  version: Type.String(),
  uptime_s: Type.Number(),
  status: Type.String(),
  services: Type.Record(Type.String(), Type.Unknown()),
  config: Type.Record(Type.String(), Type.Unknown()),
  node_version: Type.String(),
  memory_rss_bytes: Type.Number(),
  recent_errors: Type.Array(
    Type.Object({ at: IsoDateTime, request_id: Nullable(Type.String()), method: Nullable(Type.String()), url: Nullable(Type.String()), status: Type.Integer(), message: Type.String() }),
  ),
});
