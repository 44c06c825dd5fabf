import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_JWT_SECRET, loadConfig, parseDurationS } from './index.js';

describe('configuration', () => {
  it('has working embedded defaults (demo mode, PGlite, in-memory)', () => {
    const c = loadConfig({}, '/srv/optibid');
    expect(c).toMatchObject({ port: 8000, env: 'development', demoMode: true, databaseUrl: null, redisUrl: null, dataDir: '/srv/optibid/data' });
    expect(c.simulationMode).toBe(true);
    expect(c.publicMarketData).toBe(true);
    expect(c.accessTokenTtlS).toBe(900);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('refuses to start in production with a missing or default JWT secret', () => {
    expect(() => loadConfig({ OPTIBID_ENV: 'production' })).toThrow(/JWT_SECRET: required in production/);
    expect(() => loadConfig({ OPTIBID_ENV: 'production', JWT_SECRET: DEFAULT_JWT_SECRET })).toThrow(/default development secret/);
    const c = loadConfig({ OPTIBID_ENV: 'production', JWT_SECRET: 'x'.repeat(40) });
    expect(c.demoMode).toBe(false);
    expect(c.simulationMode).toBe(false);
  });

  it('lists every bad variable at once with what it expects', () => {
    try {
      loadConfig({ PORT: 'eighty', ACCESS_TOKEN_TTL: 'soon', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', SIMULATION_MODE: 'maybe' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(5);
      expect(problems.join('\n')).toMatch(/PORT=eighty: expected an integer/);
      expect(problems.join('\n')).toMatch(/DATABASE_URL=mysql:\/\/x: expected a URL starting with postgres:\/\//);
    }
  });

  it('takes ANALYTICS_URL as ClickHouse over HTTP, its path naming at most one database', () => {
    expect(loadConfig({}).analyticsUrl).toBeNull();
    expect(loadConfig({ ANALYTICS_URL: 'http://ch:8123' }).analyticsUrl).toBe('http://ch:8123');
    expect(loadConfig({ ANALYTICS_URL: 'https://u:p@ch:8443/optibid_prod' }).analyticsUrl).toBe('https://u:p@ch:8443/optibid_prod');
    expect(() => loadConfig({ ANALYTICS_URL: 'clickhouse://ch:9000' })).toThrow(/ANALYTICS_URL=clickhouse:\/\/ch:9000: expected a URL starting with http:\/\/ or https:\/\//);
    expect(() => loadConfig({ ANALYTICS_URL: 'http://u:secret@ch:8123/a/b' })).toThrow(/ANALYTICS_URL=http:\/\/\*\*\*@ch:8123\/a\/b: the path is the ClickHouse database/);
  });

  it('trusts no proxy unless TRUST_PROXY says which, and takes PUBLIC_URL without a trailing slash', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({}).publicUrl).toBeNull();
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.1,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.1', 'loopback']);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY=everyone/);
    expect(loadConfig({ PUBLIC_URL: 'https://optibid.example.com/' }).publicUrl).toBe('https://optibid.example.com');
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/PUBLIC_URL/);
  });

  it('parses durations', () => {
    expect(parseDurationS('900')).toBe(900);
    expect(parseDurationS('15m')).toBe(900);
    expect(parseDurationS('30d')).toBe(2_592_000);
    expect(parseDurationS('soon')).toBeNull();
  });
});
