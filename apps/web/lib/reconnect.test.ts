import { describe, expect, it } from 'vitest';
import { WS_CLOSE } from '@optibid/contracts';
import { backoffMs, reconnectDelayMs, SERVICE_RESTART_CLOSE } from './reconnect';

describe('realtime reconnect delay', () => {
  it('backs off 1 s, 2 s, 4 s … up to 30 s after an ordinary close', () => {
    expect([0, 1, 2, 5, 10].map(backoffMs)).toEqual([1000, 2000, 4000, 30000, 30000]);
    expect(reconnectDelayMs(1006, 3)).toEqual({ delay_ms: 8000, next_attempt: 4 });
  });

  it("honours the server's restart hint (1012): reconnect within 100–600 ms and start the backoff over", () => {
    expect(SERVICE_RESTART_CLOSE).toBe(WS_CLOSE.serviceRestart);
    expect(reconnectDelayMs(1012, 4, () => 0)).toEqual({ delay_ms: 100, next_attempt: 0 });
    expect(reconnectDelayMs(1012, 4, () => 0.999).delay_ms).toBe(599);
  });
});
