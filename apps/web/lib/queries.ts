'use client';
import { useQuery } from '@tanstack/react-query';
import type { HealthBody, MetaBody, UserView } from '@optibid/contracts';
import { api } from './api';

export const HEALTH_POLL_MS = 10_000;

export const queryKeys = {
  meta: ['meta'] as const,
  health: ['health'] as const,
  me: ['auth', 'me'] as const,
};

/** Public facts (demo mode, version); fetched once per page load. */
export function useMeta() {
  return useQuery({
    queryKey: queryKeys.meta,
    queryFn: ({ signal }) => api.get<MetaBody>('/api/meta', { auth: false, signal }),
    staleTime: Infinity,
    retry: 1,
  });
}

/** Live health, polled every 10 s (also while the tab is in the background, so "last check" stays honest). */
export function useHealth() {
  return useQuery({
    queryKey: queryKeys.health,
    // A down service makes /health answer 503 with the same report: that is data, not a failure.
    queryFn: ({ signal }) => api.get<HealthBody>('/health', { auth: false, acceptStatus: [503], signal }),
    refetchInterval: HEALTH_POLL_MS,
    refetchIntervalInBackground: true,
    retry: false,
  });
}

export function useMe(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: ({ signal }) => api.get<UserView>('/api/auth/me', { signal }),
    enabled,
    staleTime: 60_000,
  });
}
