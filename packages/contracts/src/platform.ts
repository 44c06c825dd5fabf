/**
 * Running the platform: organisation administration, account security, plans
 * and usage, feature flags, alerts and notifications (the admin console is in admin.ts).
 */
import { Type, type Static } from 'typebox';
import { IsoDateTime, Nullable, Uuid } from './common.js';
import { RoleSchema } from './auth.js';

const Email = Type.String({ format: 'email', maxLength: 254 });

export const ItemsOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item) });

// ---- organisation: members, invitations, settings -------------------------------------------

export const UserIdParams = Type.Object({ user_id: Uuid });
export const KeyParams = Type.Object({ key: Type.String({ pattern: '^[a-z][a-z0-9_]{1,62}$' }) });

export const ChangeMemberBody = Type.Object(
  { role: Type.Optional(RoleSchema), active: Type.Optional(Type.Boolean({ description: 'false deactivates the member: their sessions end at once' })) },
  { additionalProperties: false },
);
export type ChangeMemberBody = Static<typeof ChangeMemberBody>;

export const OrgSettingsView = Type.Object({
  id: Uuid,
  name: Type.String(),
  require_mfa: Type.Boolean(),
  plan_id: Type.String(),
  created_at: IsoDateTime,
});
export type OrgSettingsView = Static<typeof OrgSettingsView>;
export const OrgSettingsPatch = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), require_mfa: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type OrgSettingsPatch = Static<typeof OrgSettingsPatch>;

export const CreateInvitationBody = Type.Object({ email: Email, role: RoleSchema }, { additionalProperties: false });
export type CreateInvitationBody = Static<typeof CreateInvitationBody>;

export const InvitationView = Type.Object({
  id: Uuid,
  email: Type.String(),
  role: RoleSchema,
  status: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('revoked'), Type.Literal('expired')]),
  invited_by: Nullable(Uuid),
  expires_at: IsoDateTime,
  created_at: IsoDateTime,
  accepted_at: Nullable(IsoDateTime),
});
export type InvitationView = Static<typeof InvitationView>;

export const CreatedInvitation = Type.Object({
  ...InvitationView.properties,
  emailed: Type.Boolean({ description: 'true when the invitation was sent by SMTP' }),
  token: Nullable(Type.String({ description: 'the invitation token, returned only when no mail server is configured' })),
  accept_url: Nullable(Type.String()),
});
export type CreatedInvitation = Static<typeof CreatedInvitation>;

export const InvitationPreviewQuery = Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }) }, { additionalProperties: false });
export const InvitationPreview = Type.Object({
  organization: Type.Object({ id: Uuid, name: Type.String() }),
  email: Type.String(),
  role: RoleSchema,
  expires_at: IsoDateTime,
  account_exists: Type.Boolean(),
});

export const AcceptInvitationBody = Type.Object(
  {
    token: Type.String({ minLength: 10, maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'required when the email has no account yet' })),
  },
  { additionalProperties: false },
);
export type AcceptInvitationBody = Static<typeof AcceptInvitationBody>;

// ---- API keys ----------------------------------------------------------------------------------

export const ApiKeyScope = Type.Union([Type.Literal('read'), Type.Literal('trade')]);
export type ApiKeyScope = Static<typeof ApiKeyScope>;

export const CreateApiKeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), scopes: Type.Array(ApiKeyScope, { minItems: 1, maxItems: 2, uniqueItems: true }) },
  { additionalProperties: false },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;

export const ApiKeyView = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the key, to tell keys apart' }),
  scopes: Type.Array(ApiKeyScope),
  role: RoleSchema,
  created_by: Uuid,
  created_at: IsoDateTime,
  last_used_at: Nullable(IsoDateTime),
  revoked_at: Nullable(IsoDateTime),
});
export type ApiKeyView = Static<typeof ApiKeyView>;
export const CreatedApiKey = Type.Object({ ...ApiKeyView.properties, key: Type.String({ description: 'shown once; only its hash is stored' }) });

// ---- audit and activity ------------------------------------------------------------------------

export const AuditEntryView = Type.Object({
  id: Type.String(),
  organization_id: Nullable(Type.String()),
  actor_user_id: Nullable(Type.String()),
  actor_email: Nullable(Type.String()),
  action: Type.String(),
  target_type: Nullable(Type.String()),
  target_id: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
  created_at: IsoDateTime,
});
const auditFilters = {
  action: Type.Optional(Type.String({ maxLength: 100, description: 'exact action or a prefix with *, e.g. auth.*' })),
  actor_user_id: Type.Optional(Uuid),
  since: Type.Optional(IsoDateTime),
  before: Type.Optional(IsoDateTime),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
};
export const OrgAuditQuery = Type.Object(auditFilters, { additionalProperties: false });
export type OrgAuditQuery = Static<typeof OrgAuditQuery>;
export const AuditQuery = Type.Object({ ...auditFilters, organization_id: Type.Optional(Uuid) }, { additionalProperties: false });
export type AuditQuery = Static<typeof AuditQuery>;

// ---- account security --------------------------------------------------------------------------

export const MfaEnrollResponse = Type.Object({
  secret: Type.String({ description: 'base32 TOTP secret, for manual entry' }),
  otpauth_uri: Type.String(),
  qr_svg_data_url: Nullable(Type.String()),
});
export const MfaCodeBody = Type.Object({ code: Type.String({ minLength: 6, maxLength: 32 }) }, { additionalProperties: false });
export const MfaVerifyResponse = Type.Object({
  enabled: Type.Boolean(),
  recovery_codes: Type.Array(Type.String(), { description: 'shown once; each works once instead of a TOTP code' }),
});
export const MfaDisableBody = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 256 }), code: Type.String({ minLength: 6, maxLength: 32 }) },
  { additionalProperties: false },
);
export const MfaStatus = Type.Object({ enabled: Type.Boolean(), required_by_organization: Type.Boolean(), recovery_codes_left: Type.Integer() });

export const PasswordResetRequestBody = Type.Object({ email: Email }, { additionalProperties: false });
export const PasswordResetConfirmBody = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 200 }), new_password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

export const SessionView = Type.Object({
  id: Uuid,
  organization_id: Uuid,
  created_at: IsoDateTime,
  last_used_at: IsoDateTime,
  expires_at: IsoDateTime,
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  current: Type.Boolean(),
});
export type SessionView = Static<typeof SessionView>;

// ---- plans, usage ------------------------------------------------------------------------------

const Limit = Nullable(Type.Integer({ minimum: 0 }));
export const PlanLimitsSchema = Type.Object({
  assets: Limit,
  bids_per_day: Limit,
  api_requests_per_day: Limit,
  backtests_per_day: Limit,
  members: Limit,
});
export const PlanView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  price_usd_per_month: Type.Number(),
  limits: PlanLimitsSchema,
});
export type PlanView = Static<typeof PlanView>;
export const PlanPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    price_usd_per_month: Type.Optional(Type.Number({ minimum: 0 })),
    limits: Type.Optional(Type.Partial(PlanLimitsSchema)),
  },
  { additionalProperties: false },
);
export type PlanPatch = Static<typeof PlanPatch>;

export const QuotaView = Type.Object({
  metric: Type.String(),
  limit: Limit,
  used: Type.Integer(),
  remaining: Limit,
  resets_at: Nullable(IsoDateTime),
  kind: Type.Union([Type.Literal('rate'), Type.Literal('count')]),
});
export const UsageView = Type.Object({
  organization_id: Uuid,
  plan: PlanView,
  day: Type.String(),
  quotas: Type.Array(QuotaView),
});
export type UsageView = Static<typeof UsageView>;

export const SubscriptionView = Type.Object({
  organization_id: Uuid,
  organization_name: Type.String(),
  plan_id: Type.String(),
  status: Type.String(),
  limit_overrides: Type.Partial(PlanLimitsSchema),
  started_at: IsoDateTime,
});
export const SubscriptionPut = Type.Object(
  { plan_id: Type.String({ minLength: 1, maxLength: 50 }), limit_overrides: Type.Optional(Type.Partial(PlanLimitsSchema)) },
  { additionalProperties: false },
);
export type SubscriptionPut = Static<typeof SubscriptionPut>;
export const OrganizationIdParams = Type.Object({ organization_id: Uuid });

export const StatementQuery = Type.Object(
  { organization_id: Type.Optional(Uuid), month: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })) },
  { additionalProperties: false },
);
export const StatementView = Type.Object({
  organization_id: Uuid,
  organization_name: Type.String(),
  month: Type.String(),
  period_start: Type.String(),
  period_end: Type.String(),
  plan: Type.Object({ id: Type.String(), name: Type.String(), price_usd_per_month: Type.Number() }),
  days_in_month: Type.Integer(),
  days_billed: Type.Integer(),
  fee_usd: Type.Number(),
  usage: Type.Array(
    Type.Object({ metric: Type.String(), total: Type.Number(), peak_day: Nullable(Type.String()), peak_count: Type.Number(), daily_limit: Limit }),
  ),
  total_usd: Type.Number(),
});

// ---- feature flags -----------------------------------------------------------------------------

export const FeatureEvaluation = Type.Object({ key: Type.String(), enabled: Type.Boolean(), reason: Type.String() });
export const FeaturesResponse = Type.Object({ organization_id: Uuid, features: Type.Record(Type.String(), Type.Boolean()), details: Type.Array(FeatureEvaluation) });
export const FlagOverrideView = Type.Object({ organization_id: Uuid, organization_name: Type.String(), enabled: Type.Boolean(), updated_at: IsoDateTime });
export const FeatureFlagView = Type.Object({
  key: Type.String(),
  description: Type.String(),
  enabled: Type.Boolean(),
  rollout_percentage: Type.Integer({ minimum: 0, maximum: 100 }),
  overrides: Type.Array(FlagOverrideView),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type FeatureFlagView = Static<typeof FeatureFlagView>;
export const CreateFeatureFlagBody = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{1,62}$' }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    enabled: Type.Optional(Type.Boolean()),
    rollout_percentage: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type CreateFeatureFlagBody = Static<typeof CreateFeatureFlagBody>;
export const PatchFeatureFlagBody = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 500 })),
    enabled: Type.Optional(Type.Boolean()),
    rollout_percentage: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type PatchFeatureFlagBody = Static<typeof PatchFeatureFlagBody>;
export const FlagOverrideParams = Type.Object({ key: Type.String({ pattern: '^[a-z][a-z0-9_]{1,62}$' }), organization_id: Uuid });
export const FlagOverrideBody = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });

// ---- alerts and notifications ------------------------------------------------------------------

export const AlertRuleTypeSchema = Type.Union([
  Type.Literal('price_above'),
  Type.Literal('price_below'),
  Type.Literal('daily_spread_above'),
  Type.Literal('bid_rejected'),
  Type.Literal('award_received'),
  Type.Literal('gate_closure_drafts'),
  Type.Literal('forecast_error_above'),
]);
export const AlertRuleParamsSchema = Type.Object(
  {
    market_zone: Type.Optional(Type.String({ maxLength: 20, description: 'lower-case zone such as pjm' })),
    location: Type.Optional(Type.String({ maxLength: 200 })),
    run: Type.Optional(Type.Union([Type.Literal('DA'), Type.Literal('RT')])),
    threshold_usd_per_mwh: Type.Optional(Type.Number()),
    minutes_before: Type.Optional(Type.Integer({ minimum: 1, maximum: 10080 })),
    asset_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export const CreateAlertRuleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: AlertRuleTypeSchema,
    params: AlertRuleParamsSchema,
    email: Type.Optional(Type.Boolean({ default: false })),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export type CreateAlertRuleBody = Static<typeof CreateAlertRuleBody>;
export const PatchAlertRuleBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    params: Type.Optional(AlertRuleParamsSchema),
    email: Type.Optional(Type.Boolean()),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type PatchAlertRuleBody = Static<typeof PatchAlertRuleBody>;
export const AlertRuleView = Type.Object({
  id: Uuid,
  name: Type.String(),
  type: AlertRuleTypeSchema,
  params: AlertRuleParamsSchema,
  email: Type.Boolean(),
  enabled: Type.Boolean(),
  last_triggered_at: Nullable(IsoDateTime),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type AlertRuleView = Static<typeof AlertRuleView>;

export const NotificationView = Type.Object({
  id: Uuid,
  rule_id: Nullable(Uuid),
  category: Type.String(),
  severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
  title: Type.String(),
  message: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  read: Type.Boolean(),
  read_at: Nullable(IsoDateTime),
  emailed_at: Nullable(IsoDateTime),
  created_at: IsoDateTime,
});
export type NotificationView = Static<typeof NotificationView>;
export const NotificationsQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean()),
    before: Type.Optional(IsoDateTime),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export const NotificationsResponse = Type.Object({ items: Type.Array(NotificationView), unread_count: Type.Integer() });
export type NotificationsResponse = Static<typeof NotificationsResponse>;
export const MarkReadBody = Type.Object(
  { ids: Type.Optional(Type.Array(Uuid, { maxItems: 500 })), all: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const MarkReadResponse = Type.Object({ updated: Type.Integer(), unread_count: Type.Integer() });

/** Published on `org:<organization_id>` when a rule triggers; clients show it to `user_id` only. */
export const AlertEventMessage = Type.Object({
  type: Type.Literal('alert'),
  alert_id: Uuid,
  notification_id: Uuid,
  user_id: Uuid,
  rule_id: Nullable(Uuid),
  severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
  title: Type.String(),
  message: Type.String(),
  market_zone: Nullable(Type.String()),
  category: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  timestamp: IsoDateTime,
});
export type AlertEventMessage = Static<typeof AlertEventMessage>;
