/**
 * fetch wrapper for the OptiBid API: same-origin JSON, bearer token attached,
 * access token refreshed before expiry and once more after a 401, and every
 * failure turned into an ApiError carrying the API's own code and message.
 */
import type { TokenResponse } from '@optibid/contracts';
import { clearSession, getSession, needsRefresh, setSession, type StoredSession } from './session-store';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown[] | undefined;
  readonly request_id: string | undefined;

  constructor(status: number, code: string, message: string, details?: unknown[], request_id?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.request_id = request_id;
  }
}

export const SESSION_EXPIRED_MESSAGE = 'Your session expired, please sign in again.';

/** Window event fired when the API answers 403 `mfa_enrollment_required` (the organisation requires two-factor sign-in). */
export const MFA_ENROLLMENT_EVENT = 'optibid:mfa-enrollment-required';

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON-serialised into the request body. */
  body?: unknown;
  /** Attach the access token (default true). `false` for public endpoints. */
  auth?: boolean;
  /** Non-2xx statuses whose body is still a valid result (e.g. /health answers 503 with a report). */
  acceptStatus?: number[];
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export function sessionFromTokens(t: TokenResponse, now = Date.now()): StoredSession {
  return {
    access_token: t.access_token,
    refresh_token: t.refresh_token,
    expires_in: t.expires_in,
    expires_at: now + t.expires_in * 1000,
    user: t.user,
  };
}

async function parseBody(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toApiError(res: Response, body: unknown): ApiError {
  const err = (body as { error?: { code?: unknown; message?: unknown; details?: unknown; request_id?: unknown } } | undefined)?.error;
  if (err && typeof err.message === 'string') {
    return new ApiError(
      res.status,
      typeof err.code === 'string' ? err.code : 'error',
      err.message,
      Array.isArray(err.details) ? err.details : undefined,
      typeof err.request_id === 'string' ? err.request_id : undefined,
    );
  }
  return new ApiError(res.status, 'http_error', `The server answered ${res.status} ${res.statusText}`.trim());
}

async function send(path: string, opts: ApiOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    return await fetch(path, {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      cache: 'no-store',
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', 'Cannot reach the OptiBid server. Check your connection or that the server is running.');
  }
}

let inflightRefresh: Promise<StoredSession> | null = null;

async function doRefresh(startedWith: StoredSession): Promise<StoredSession> {
  // Another tab may have rotated the token while we waited for the lock: reuse its
  // result, because presenting the old refresh token again would revoke the family.
  const current = getSession();
  if (!current) throw new ApiError(401, 'session_expired', SESSION_EXPIRED_MESSAGE);
  if (current.refresh_token !== startedWith.refresh_token && !needsRefresh(current)) return current;

  const res = await send('/api/auth/refresh', { method: 'POST', body: { refresh_token: current.refresh_token } }, null);
  const body = await parseBody(res);
  if (!res.ok) {
    if (res.status === 400 || res.status === 401 || res.status === 403 || res.status === 422) {
      clearSession('expired');
      throw new ApiError(401, 'session_expired', SESSION_EXPIRED_MESSAGE);
    }
    throw toApiError(res, body);
  }
  const next = sessionFromTokens(body as TokenResponse);
  setSession(next);
  return next;
}

/**
 * Exchanges the refresh token for a new pair. Concurrent callers in this tab share
 * one request; across tabs a Web Lock (where available) serialises the rotation.
 * When the refresh token is rejected the session is cleared and the error says so.
 */
export function refreshSession(): Promise<StoredSession> {
  const startedWith = getSession();
  if (!startedWith) return Promise.reject(new ApiError(401, 'session_expired', SESSION_EXPIRED_MESSAGE));
  if (inflightRefresh) return inflightRefresh;
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  const run: Promise<StoredSession> = locks
    ? (locks.request('optibid-token-refresh', () => doRefresh(startedWith)) as unknown as Promise<StoredSession>) // the lock resolves with the callback's settled value
    : doRefresh(startedWith);
  const shared = run.finally(() => {
    inflightRefresh = null;
  });
  inflightRefresh = shared;
  return shared;
}

/** A valid (not about-to-expire) access token, refreshing first when needed; null when signed out. */
export async function getAccessToken(): Promise<string | null> {
  const s = getSession();
  if (!s) return null;
  if (needsRefresh(s)) return (await refreshSession()).access_token;
  return s.access_token;
}

export async function apiFetch<T>(path: string, opts: ApiOptions = {}): Promise<T> {
  const auth = opts.auth ?? true;
  let token: string | null = null;
  if (auth) {
    token = await getAccessToken();
    if (!token) throw new ApiError(401, 'unauthorized', 'Please sign in.');
  }
  let res = await send(path, opts, token);
  if (res.status === 401 && auth) {
    // The token may have been revoked or the clocks disagree: refresh once and retry.
    const fresh = await refreshSession();
    res = await send(path, opts, fresh.access_token);
  }
  const body = await parseBody(res);
  if (!res.ok && !(opts.acceptStatus ?? []).includes(res.status)) {
    const err = toApiError(res, body);
    // The (app) layout listens and sends the member to two-factor enrolment.
    if (err.code === 'mfa_enrollment_required' && typeof window !== 'undefined') window.dispatchEvent(new Event(MFA_ENROLLMENT_EVENT));
    throw err;
  }
  return body as T;
}

export const api = {
  get: <T>(path: string, opts: Omit<ApiOptions, 'method' | 'body'> = {}) => apiFetch<T>(path, { ...opts, method: 'GET' }),
  post: <T>(path: string, body?: unknown, opts: Omit<ApiOptions, 'method' | 'body'> = {}) =>
    apiFetch<T>(path, { ...opts, method: 'POST', body: body ?? {} }),
  put: <T>(path: string, body: unknown, opts: Omit<ApiOptions, 'method' | 'body'> = {}) => apiFetch<T>(path, { ...opts, method: 'PUT', body }),
  patch: <T>(path: string, body: unknown, opts: Omit<ApiOptions, 'method' | 'body'> = {}) =>
    apiFetch<T>(path, { ...opts, method: 'PATCH', body }),
  delete: <T>(path: string, opts: Omit<ApiOptions, 'method' | 'body'> = {}) => apiFetch<T>(path, { ...opts, method: 'DELETE' }),
};

/**
 * Per-field messages from an API validation error, keyed by field name. Accepts
 * the common detail shapes ({field}, {path: "/body/x" | ["x"]}, {instancePath: "/x"}).
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError) || !error.details) return out;
  for (const d of error.details) {
    if (!d || typeof d !== 'object') continue;
    const item = d as Record<string, unknown>;
    const message = typeof item.message === 'string' ? item.message : undefined;
    let field: string | undefined;
    if (typeof item.field === 'string') field = item.field;
    else if (Array.isArray(item.path)) field = item.path.map(String).join('.');
    else if (typeof item.path === 'string') field = item.path;
    else if (typeof item.instancePath === 'string') field = item.instancePath;
    if (!field || !message) continue;
    field = field.replace(/^\/?(body\/|body\.)?/, '').replace(/^\//, '').replace(/\//g, '.');
    if (field && !out[field]) out[field] = message;
  }
  return out;
}
