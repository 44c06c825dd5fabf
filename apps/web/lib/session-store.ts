/**
 * Tokens and the signed-in user, kept in localStorage so a reload or a second
 * tab stays signed in. Framework-free so the API client can use it directly.
 */
import type { UserView } from '@optibid/contracts';

export interface StoredSession {
  access_token: string;
  refresh_token: string;
  /** Epoch milliseconds at which the access token expires (client clock). */
  expires_at: number;
  /** Lifetime the server granted, in seconds (used to pick the refresh margin). */
  expires_in: number;
  user: UserView;
}

const SESSION_KEY = 'optibid.session';
const EXPIRED_KEY = 'optibid.session_expired';

type Listener = () => void;
const listeners = new Set<Listener>();
let cachedRaw: string | null | undefined;
let cached: StoredSession | null = null;

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null; // storage disabled (privacy mode): behave as signed out
  }
}

function isStoredSession(v: unknown): v is StoredSession {
  if (!v || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  return typeof s.access_token === 'string' && typeof s.refresh_token === 'string' && typeof s.expires_at === 'number' && !!s.user;
}

/** The current session, or null when signed out. Stable identity while the stored value is unchanged. */
export function getSession(): StoredSession | null {
  const raw = storage()?.getItem(SESSION_KEY) ?? null;
  if (raw === cachedRaw) return cached;
  cachedRaw = raw;
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    cached = isStoredSession(parsed) ? parsed : null;
  } catch {
    cached = null;
  }
  return cached;
}

function emit(): void {
  for (const l of listeners) l();
}

export function setSession(session: StoredSession): void {
  storage()?.setItem(SESSION_KEY, JSON.stringify(session));
  try {
    window.sessionStorage.removeItem(EXPIRED_KEY);
  } catch {
    /* ignore */
  }
  emit();
}

/** Stores the fresh user object (after /api/auth/me or a profile change) without touching tokens. */
export function updateStoredUser(user: UserView): void {
  const s = getSession();
  if (!s) return;
  setSession({ ...s, user });
}

/**
 * Signs out locally. `expired` leaves a flag so the login page can say why the
 * user landed there ("your session expired") instead of silently showing the form.
 */
export function clearSession(reason: 'logout' | 'expired'): void {
  storage()?.removeItem(SESSION_KEY);
  if (reason === 'expired') {
    try {
      window.sessionStorage.setItem(EXPIRED_KEY, '1');
    } catch {
      /* ignore */
    }
  }
  emit();
}

/** True once after a session expired; reading clears the flag. */
export function consumeExpiredNotice(): boolean {
  try {
    const v = window.sessionStorage.getItem(EXPIRED_KEY) === '1';
    window.sessionStorage.removeItem(EXPIRED_KEY);
    return v;
  } catch {
    return false;
  }
}

export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  // Another tab signing in/out or refreshing tokens changes localStorage there, not here.
  const onStorage = (e: StorageEvent) => {
    if (e.key === null || e.key === SESSION_KEY) listener();
  };
  if (typeof window !== 'undefined') window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    if (typeof window !== 'undefined') window.removeEventListener('storage', onStorage);
  };
}

/**
 * How long before expiry the access token is refreshed: a quarter of its
 * lifetime, capped at 60 s (a 15-minute token refreshes 60 s early, a 60 s token 15 s early).
 */
export function refreshMarginMs(session: StoredSession): number {
  return Math.min(60_000, (session.expires_in * 1000) / 4);
}

export function needsRefresh(session: StoredSession, now = Date.now()): boolean {
  return session.expires_at - refreshMarginMs(session) <= now;
}
