-- Running the platform: invitations, API keys, MFA, password resets, plans and
-- subscriptions, daily usage, feature flags, alert rules and notifications.
-- Tokens and keys are stored as SHA-256 hashes only.

CREATE TABLE invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'trader', 'analyst', 'viewer')),
  token_hash text NOT NULL UNIQUE,
  invited_by uuid REFERENCES users(id) ON DELETE SET NULL,
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by uuid REFERENCES users(id) ON DELETE SET NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_org_idx ON invitations (organization_id, created_at DESC);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name text NOT NULL,
  -- The first characters of the key, shown in lists so a user can tell keys apart.
  prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  scopes jsonb NOT NULL,
  created_by uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_org_idx ON api_keys (organization_id, created_at DESC);

CREATE TABLE user_mfa (
  user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  secret text NOT NULL,
  enabled_at timestamptz,
  -- SHA-256 of each unused recovery code.
  recovery_code_hashes jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- Last accepted TOTP time step: a code is accepted once.
  last_time_step bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE password_resets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  ip text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

-- Limits: null = unlimited. Limits are hard (requests over them are refused), so
-- a statement is the plan's fee prorated over the days subscribed, with usage listed.
CREATE TABLE plans (
  id text PRIMARY KEY,
  name text NOT NULL,
  price_usd_per_month double precision NOT NULL,
  limits jsonb NOT NULL,
  sort_order integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO plans (id, name, price_usd_per_month, limits, sort_order) VALUES
  ('free', 'Free', 0,
   '{"assets": 5, "bids_per_day": 200, "api_requests_per_day": 10000, "backtests_per_day": 20, "members": 5}', 1),
  ('pro', 'Pro', 499,
   '{"assets": 50, "bids_per_day": 5000, "api_requests_per_day": 200000, "backtests_per_day": 500, "members": 25}', 2),
  ('enterprise', 'Enterprise', 2999,
   '{"assets": null, "bids_per_day": null, "api_requests_per_day": null, "backtests_per_day": null, "members": null}', 3);

-- An organisation without a row is on the free plan (demo organisations on enterprise).
CREATE TABLE subscriptions (
  organization_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  plan_id text NOT NULL REFERENCES plans(id),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
  -- Per-organisation limit overrides agreed outside the plan (same keys as plans.limits).
  limit_overrides jsonb NOT NULL DEFAULT '{}'::jsonb,
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Usage per UTC day and metric (api_requests, bids, backtests).
CREATE TABLE usage_daily (
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  day text NOT NULL CHECK (day ~ '^\d{4}-\d{2}-\d{2}$'),
  metric text NOT NULL,
  count bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (organization_id, day, metric)
);

CREATE TABLE feature_flags (
  key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{1,62}$'),
  description text NOT NULL DEFAULT '',
  enabled boolean NOT NULL DEFAULT false,
  rollout_percentage integer NOT NULL DEFAULT 100 CHECK (rollout_percentage BETWEEN 0 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE feature_flag_overrides (
  flag_key text NOT NULL REFERENCES feature_flags(key) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  enabled boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (flag_key, organization_id)
);

INSERT INTO feature_flags (key, description, enabled, rollout_percentage) VALUES
  ('auction_clearing', 'Clear submitted bids in a uniform-price auction instead of as a price taker', true, 100),
  ('own_forecast_model', 'Offer the in-house price forecast model alongside the naive and LEAR models', false, 0);

CREATE TABLE alert_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name text NOT NULL,
  type text NOT NULL,
  params jsonb NOT NULL,
  email boolean NOT NULL DEFAULT false,
  enabled boolean NOT NULL DEFAULT true,
  last_triggered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_rules_user_idx ON alert_rules (user_id, created_at);
CREATE INDEX alert_rules_type_idx ON alert_rules (type) WHERE enabled;

-- One row per occurrence of a rule: the unique key makes a second server (or a
-- repeated event) unable to notify twice.
CREATE TABLE notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  rule_id uuid REFERENCES alert_rules(id) ON DELETE SET NULL,
  occurrence_key text NOT NULL,
  category text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  title text NOT NULL,
  message text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  read_at timestamptz,
  emailed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, occurrence_key)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
