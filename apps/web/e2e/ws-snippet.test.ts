/**
 * Issue 3's published contract, as a user scripts it: in a real browser on a
 * fresh server, the documented snippet prints connection_established and then
 * price updates from the simulated feed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { missingBuild, startHarness, type Harness } from './harness.js';

const missing = missingBuild();

describe.skipIf(missing !== null)('the WebSocket snippet in Chromium', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { FEED_INTERVAL_S: '1' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  test("new WebSocket('ws://…/api/ws/ws/market/pjm') logs connection_established, then price updates", async () => {
    const page = await h.newPage();
    await page.goto(h.url('/system-status'));
    const logged: unknown[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'log') logged.push(msg.args().length ? msg.text() : null);
    });
    const messages = await page.evaluate(async (base: string) => {
      const out: Record<string, unknown>[] = [];
      await new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(base.replace(/^http/, 'ws').replace(/\/?$/, '/') + 'api/ws/ws/market/pjm');
        ws.onmessage = (e) => {
          const m = JSON.parse(e.data) as Record<string, unknown>;
          console.log(JSON.parse(e.data));
          out.push(m);
          if (out.filter((x) => x.type === 'price_update').length >= 2) {
            ws.close();
            resolve();
          }
        };
        ws.onerror = () => reject(new Error('websocket error'));
        setTimeout(() => reject(new Error(`timed out with ${JSON.stringify(out)}`)), 30_000);
      });
      return out;
    }, h.baseUrl);
    expect(messages[0]).toMatchObject({ type: 'connection_established', market_zone: 'pjm', storage_backend: 'memory', message: 'Connected to pjm market updates' });
    const update = messages.find((m) => m.type === 'price_update')!;
    expect(update).toMatchObject({ market_zone: 'pjm', location: expect.any(String), interval_start: expect.any(String), lmp: expect.any(Number) });
    expect(Object.keys(update).sort()).toEqual(['congestion', 'energy', 'interval_start', 'lmp', 'location', 'loss', 'market_zone', 'timestamp', 'type']);
    expect(logged.length).toBeGreaterThanOrEqual(3);
  });
});
