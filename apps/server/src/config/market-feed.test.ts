import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('market-data configuration', () => {
  it('defaults to the simulated feed when simulation is on, off otherwise, and reads base URLs and keys', () => {
    expect(loadConfig({}).marketFeed.source).toBe('simulated');
    expect(loadConfig({ DEMO_MODE: 'false' }).marketFeed.source).toBe('off');
    const c = loadConfig({ MARKET_DATA_SOURCE: 'iso', ISO_BASE_URL_PJM: 'http://127.0.0.1:9/', PJM_API_KEY: 'k' }).marketFeed;
    expect(c.source).toBe('iso');
    expect(c.baseUrls.PJM).toBe('http://127.0.0.1:9');
    expect(c.baseUrls.CAISO).toBe('https://oasis.caiso.com');
    expect(c.pjmApiKey).toBe('k');
    expect(c.ercotIdToken).toBeNull();
  });

  it('names every bad market-data variable', () => {
    try {
      loadConfig({ MARKET_DATA_SOURCE: 'live', ISO_BASE_URL_MISO: 'ftp://x', ISO_FETCH_TIMEOUT_MS: '5' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const p = (err as ConfigError).problems.join('\n');
      expect(p).toMatch(/MARKET_DATA_SOURCE=live: expected one of iso, simulated, off/);
      expect(p).toMatch(/ISO_BASE_URL_MISO=ftp:\/\/x: expected an http/);
      expect(p).toMatch(/ISO_FETCH_TIMEOUT_MS=5: expected an integer from 100/);
    }
  });
});
