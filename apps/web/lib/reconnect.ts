/** When the realtime socket reconnects after a close (pure, so it is unit-tested). */

export const BACKOFF_MIN_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;

/** Delay before reconnect attempt `n` (0-based): 1 s, 2 s, 4 s … capped at 30 s. */
export function backoffMs(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, attempt));
}

/** Close code of an instance that is draining (1012 service restart): reconnect at once, elsewhere. */
export const SERVICE_RESTART_CLOSE = 1012;

/**
 * Delay before reconnecting after a close with `code`: an instance that is shutting down (1012)
 * asks for a reconnect now, so 100–600 ms (spread so its clients do not all arrive at once) and
 * the backoff starts over; anything else waits the backoff of attempt `attempt`.
 */
export function reconnectDelayMs(code: number, attempt: number, random: () => number = Math.random): { delay_ms: number; next_attempt: number } {
  if (code === SERVICE_RESTART_CLOSE) return { delay_ms: 100 + Math.floor(random() * 500), next_attempt: 0 };
  return { delay_ms: backoffMs(attempt), next_attempt: attempt + 1 };
}
