'use client';
/**
 * TanStack Query hooks and wire types for running the platform: organisation
 * (members, invitations, API keys, audit, settings), account security, usage,
 * feature flags, alerts and notifications, and the admin console.
 */
import { useQuery } from '@tanstack/react-query';
import type { Static } from 'typebox';
import type {
  AdminOrganizationDetail,
  AdminOrganizationView,
  AdminOverview,
  AdminSystem,
  AdminUserDetail,
  AdminUserView,
  AlertRuleView,
  ApiKeyView,
  AuditEntryView,
  CreatedApiKey,
  CreatedInvitation,
  FeatureFlagView,
  FeaturesResponse,
  InvitationPreview,
  InvitationView,
  MemberView,
  MfaEnrollResponse,
  MfaStatus,
  MfaVerifyResponse,
  NotificationView,
  NotificationsResponse,
  OrgSettingsView,
  PlanView,
  QuotaView,
  SessionView,
  StatementView,
  SubscriptionView,
  UsageView,
} from '@optibid/contracts';
import { api } from './api';

export type {
  AlertRuleView,
  ApiKeyView,
  CreatedInvitation,
  FeatureFlagView,
  InvitationView,
  MemberView,
  NotificationView,
  OrgSettingsView,
  PlanView,
  SessionView,
  UsageView,
};
export type AuditEntry = Static<typeof AuditEntryView>;
export type Quota = Static<typeof QuotaView>;
export type MfaStatusBody = Static<typeof MfaStatus>;
export type MfaEnrollBody = Static<typeof MfaEnrollResponse>;
export type MfaVerifyBody = Static<typeof MfaVerifyResponse>;
export type CreatedApiKeyBody = Static<typeof CreatedApiKey>;
export type InvitationPreviewBody = Static<typeof InvitationPreview>;
export type FeaturesBody = Static<typeof FeaturesResponse>;
export type AdminOverviewBody = Static<typeof AdminOverview>;
export type AdminOrg = Static<typeof AdminOrganizationView>;
export type AdminOrgDetail = Static<typeof AdminOrganizationDetail>;
export type AdminUser = Static<typeof AdminUserView>;
export type AdminUserDetailBody = Static<typeof AdminUserDetail>;
export type AdminSystemBody = Static<typeof AdminSystem>;
export type Subscription = Static<typeof SubscriptionView>;
export type Statement = Static<typeof StatementView>;

interface Items<T> {
  items: T[];
}

/** Query-string from defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const platformKeys = {
  members: ['org', 'members'] as const,
  invitations: ['org', 'invitations'] as const,
  apiKeys: ['org', 'api-keys'] as const,
  orgSettings: ['org', 'settings'] as const,
  audit: (scope: 'org' | 'admin', filters: AuditFilters) => ['audit', scope, filters] as const,
  usage: ['usage'] as const,
  features: ['features'] as const,
  mfa: ['auth', 'mfa'] as const,
  sessions: ['auth', 'sessions'] as const,
  alertRules: ['alerts', 'rules'] as const,
  notifications: (unreadOnly: boolean) => ['notifications', { unreadOnly }] as const,
  admin: {
    overview: ['admin', 'overview'] as const,
    orgs: (q: string) => ['admin', 'organizations', q] as const,
    org: (id: string) => ['admin', 'organization', id] as const,
    users: (q: string) => ['admin', 'users', q] as const,
    user: (id: string) => ['admin', 'user', id] as const,
    plans: ['admin', 'plans'] as const,
    subscriptions: ['admin', 'subscriptions'] as const,
    statements: (month: string) => ['admin', 'statements', month] as const,
    flags: ['admin', 'features'] as const,
    system: ['admin', 'system'] as const,
  },
};

export interface AuditFilters {
  action?: string;
  since?: string;
  before?: string;
  organization_id?: string;
  limit?: number;
}

export function useMembers() {
  return useQuery({ queryKey: platformKeys.members, queryFn: ({ signal }) => api.get<Items<MemberView>>('/api/org/members', { signal }) });
}
export function useInvitations(enabled = true) {
  return useQuery({ queryKey: platformKeys.invitations, queryFn: ({ signal }) => api.get<Items<InvitationView>>('/api/org/invitations', { signal }), enabled });
}
export function useApiKeys(enabled = true) {
  return useQuery({ queryKey: platformKeys.apiKeys, queryFn: ({ signal }) => api.get<Items<ApiKeyView>>('/api/org/api-keys', { signal }), enabled });
}
export function useOrgSettings() {
  return useQuery({ queryKey: platformKeys.orgSettings, queryFn: ({ signal }) => api.get<OrgSettingsView>('/api/org/settings', { signal }) });
}
export function useAudit(scope: 'org' | 'admin', filters: AuditFilters) {
  const path = scope === 'org' ? '/api/org/audit' : '/api/admin/audit';
  return useQuery({
    queryKey: platformKeys.audit(scope, filters),
    queryFn: ({ signal }) => api.get<Items<AuditEntry>>(`${path}${qs({ ...filters, limit: filters.limit ?? 100 })}`, { signal }),
  });
}
export function useUsage(enabled = true) {
  return useQuery({ queryKey: platformKeys.usage, queryFn: ({ signal }) => api.get<UsageView>('/api/usage', { signal }), enabled, staleTime: 30_000 });
}
export function useFeatures() {
  return useQuery({ queryKey: platformKeys.features, queryFn: ({ signal }) => api.get<FeaturesBody>('/api/features', { signal }), staleTime: 60_000 });
}
export function useMfaStatus() {
  return useQuery({ queryKey: platformKeys.mfa, queryFn: ({ signal }) => api.get<MfaStatusBody>('/api/auth/mfa', { signal }), retry: false });
}
export function useSessions() {
  return useQuery({ queryKey: platformKeys.sessions, queryFn: ({ signal }) => api.get<Items<SessionView>>('/api/auth/sessions', { signal }) });
}
export function useAlertRules() {
  return useQuery({ queryKey: platformKeys.alertRules, queryFn: ({ signal }) => api.get<Items<AlertRuleView>>('/api/alerts/rules', { signal }) });
}
export function useNotifications(unreadOnly = false, opts: { refetchInterval?: number } = {}) {
  return useQuery({
    queryKey: platformKeys.notifications(unreadOnly),
    queryFn: ({ signal }) => api.get<NotificationsResponse>(`/api/notifications${qs({ unread: unreadOnly || undefined, limit: 100 })}`, { signal }),
    refetchInterval: opts.refetchInterval,
    retry: false,
  });
}

// ---- admin ----

export function useAdminOverview() {
  return useQuery({
    queryKey: platformKeys.admin.overview,
    queryFn: ({ signal }) => api.get<AdminOverviewBody>('/api/admin/overview', { signal }),
    refetchInterval: 10_000,
    retry: false,
  });
}
export function useAdminOrgs(q: string) {
  return useQuery({ queryKey: platformKeys.admin.orgs(q), queryFn: ({ signal }) => api.get<Items<AdminOrg>>(`/api/admin/organizations${qs({ q, limit: 100 })}`, { signal }) });
}
export function useAdminOrg(id: string | null) {
  return useQuery({
    queryKey: platformKeys.admin.org(id ?? ''),
    queryFn: ({ signal }) => api.get<AdminOrgDetail>(`/api/admin/organizations/${id}`, { signal }),
    enabled: !!id,
  });
}
export function useAdminUsers(q: string) {
  return useQuery({ queryKey: platformKeys.admin.users(q), queryFn: ({ signal }) => api.get<Items<AdminUser>>(`/api/admin/users${qs({ q, limit: 100 })}`, { signal }) });
}
export function useAdminUser(id: string | null) {
  return useQuery({
    queryKey: platformKeys.admin.user(id ?? ''),
    queryFn: ({ signal }) => api.get<AdminUserDetailBody>(`/api/admin/users/${id}`, { signal }),
    enabled: !!id,
  });
}
export function useAdminPlans() {
  return useQuery({ queryKey: platformKeys.admin.plans, queryFn: ({ signal }) => api.get<Items<PlanView>>('/api/admin/plans', { signal }) });
}
export function useAdminSubscriptions() {
  return useQuery({
    queryKey: platformKeys.admin.subscriptions,
    queryFn: ({ signal }) => api.get<Items<Subscription>>('/api/admin/subscriptions?limit=200', { signal }),
  });
}
export function useAdminStatements(month: string) {
  return useQuery({
    queryKey: platformKeys.admin.statements(month),
    queryFn: ({ signal }) => api.get<Items<Statement>>(`/api/admin/statements${qs({ month })}`, { signal }),
  });
}
export function useAdminFlags() {
  return useQuery({ queryKey: platformKeys.admin.flags, queryFn: ({ signal }) => api.get<Items<FeatureFlagView>>('/api/admin/features', { signal }) });
}
export function useAdminSystem() {
  return useQuery({
    queryKey: platformKeys.admin.system,
    queryFn: ({ signal }) => api.get<AdminSystemBody>('/api/admin/system', { signal, acceptStatus: [503] }),
    refetchInterval: 10_000,
  });
}

/** Human label of a quota/usage metric name (`bids_per_day` → "Bids per day"). */
export function metricLabel(metric: string): string {
  const labels: Record<string, string> = {
    assets: 'Assets',
    members: 'Members',
    bids: 'Bids per day',
    bids_per_day: 'Bids per day',
    api_requests: 'API requests per day',
    api_requests_per_day: 'API requests per day',
    backtests: 'Backtests per day',
    backtests_per_day: 'Backtests per day',
  };
  return labels[metric] ?? metric.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** Bytes as KB/MB/GB with one decimal. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export const ROLE_OPTIONS = [
  { value: 'owner', label: 'Owner' },
  { value: 'admin', label: 'Admin' },
  { value: 'trader', label: 'Trader' },
  { value: 'analyst', label: 'Analyst' },
  { value: 'viewer', label: 'Viewer' },
];
