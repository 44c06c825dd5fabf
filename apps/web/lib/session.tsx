'use client';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { TokenResponse, UserView } from '@optibid/contracts';
import { api, refreshSession, sessionFromTokens } from './api';
import { clearSession, getSession, refreshMarginMs, setSession, subscribeSession, updateStoredUser, type StoredSession } from './session-store';

export type SessionStatus = 'loading' | 'authenticated' | 'anonymous';

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
  organization_name: string;
}

export interface SessionContextValue {
  /** 'loading' only before the browser has read localStorage (static HTML, first paint). */
  status: SessionStatus;
  user: UserView | null;
  login: (email: string, password: string) => Promise<UserView>;
  register: (input: RegisterInput) => Promise<UserView>;
  /** Revokes the refresh token on the server (best effort) and clears local tokens. */
  logout: () => Promise<void>;
  /** Replaces the stored user after a profile change or a /me refresh. */
  setUser: (user: UserView) => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

const getServerSnapshot = (): StoredSession | null | undefined => undefined;

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const session = useSyncExternalStore<StoredSession | null | undefined>(subscribeSession, getSession, getServerSnapshot);

  // Another user's cached data must not show after a sign-out or expiry; public data (meta, health) stays.
  const userId = session?.user.id;
  const previousUser = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (previousUser.current && previousUser.current !== userId) {
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'meta' && q.queryKey[0] !== 'health' });
    }
    previousUser.current = userId;
  }, [userId, queryClient]);

  // Refresh ahead of expiry so an idle tab (watching prices) keeps a usable token.
  const expiresAt = session?.expires_at;
  useEffect(() => {
    const s = getSession();
    if (!s || expiresAt === undefined) return;
    const delay = Math.max(0, expiresAt - refreshMarginMs(s) - Date.now());
    const timer = setTimeout(() => {
      refreshSession().catch(() => undefined); // a failure clears the session; the guard redirects
    }, delay);
    return () => clearTimeout(timer);
  }, [expiresAt]);

  const login = useCallback(async (email: string, password: string) => {
    const tokens = await api.post<TokenResponse>('/api/auth/login', { email, password }, { auth: false });
    setSession(sessionFromTokens(tokens));
    return tokens.user;
  }, []);

  const register = useCallback(async (input: RegisterInput) => {
    const tokens = await api.post<TokenResponse>('/api/auth/register', input, { auth: false });
    setSession(sessionFromTokens(tokens));
    return tokens.user;
  }, []);

  const logout = useCallback(async () => {
    const s = getSession();
    if (s) {
      await api
        .post('/api/auth/logout', { refresh_token: s.refresh_token }, { auth: false, headers: { authorization: `Bearer ${s.access_token}` } })
        .catch(() => undefined); // signing out locally must work even if the server is unreachable
    }
    clearSession('logout');
  }, []);

  const value = useMemo<SessionContextValue>(
    () => ({
      status: session === undefined ? 'loading' : session ? 'authenticated' : 'anonymous',
      user: session?.user ?? null,
      login,
      register,
      logout,
      setUser: updateStoredUser,
    }),
    [session, login, register, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession must be used inside <SessionProvider>');
  return ctx;
}

/** The signed-in user; only call below <RequireAuth> (the app shell), where it is never null. */
export function useUser(): UserView {
  const { user } = useSession();
  if (!user) throw new Error('useUser called outside an authenticated page');
  return user;
}

/** Whether the signed-in user's role grants `permission` (the server computes the list). */
export function hasPermission(user: UserView | null, permission: string): boolean {
  return !!user && user.permissions.includes(permission);
}
