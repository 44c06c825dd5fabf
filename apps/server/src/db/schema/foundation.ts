import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Mirrors migrations/0001_foundation.sql; the SQL file is the source of truth for the database.
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  is_demo: boolean('is_demo').notNull().default(false),
  require_mfa: boolean('require_mfa').notNull().default(false),
  created_at: ts('created_at').notNull().defaultNow(),
});

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  password_hash: text('password_hash').notNull(),
  is_platform_admin: boolean('is_platform_admin').notNull().default(false),
  is_active: boolean('is_active').notNull().default(true),
  created_at: ts('created_at').notNull().defaultNow(),
  last_login_at: ts('last_login_at'),
});

export const memberships = pgTable(
  'memberships',
  {
    organization_id: uuid('organization_id').notNull(),
    user_id: uuid('user_id').notNull(),
    role: text('role').notNull(),
    is_active: boolean('is_active').notNull().default(true),
    created_at: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organization_id, t.user_id] }), index('memberships_user_idx').on(t.user_id)],
);

export const refreshTokens = pgTable('refresh_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  family_id: uuid('family_id').notNull(),
  user_id: uuid('user_id').notNull(),
  organization_id: uuid('organization_id').notNull(),
  token_hash: text('token_hash').notNull(),
  created_at: ts('created_at').notNull().defaultNow(),
  expires_at: ts('expires_at').notNull(),
  rotated_at: ts('rotated_at'),
  revoked_at: ts('revoked_at'),
  user_agent: text('user_agent'),
  ip: text('ip'),
});

export const auditLog = pgTable('audit_log', {
  id: uuid('id').primaryKey().defaultRandom(),
  organization_id: uuid('organization_id'),
  actor_user_id: uuid('actor_user_id'),
  action: text('action').notNull(),
  target_type: text('target_type'),
  target_id: text('target_id'),
  ip: text('ip'),
  user_agent: text('user_agent'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  created_at: ts('created_at').notNull().defaultNow(),
});
