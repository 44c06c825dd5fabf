/**
 * Configuration of the ISO market-data clients: where the shared market's prices come from,
 * each ISO's base URL (a test server or a mirror can stand in) and the credentials some ISOs
 * require. Read once with the rest of the environment.
 */
import { ISO_IDS, type IsoId } from '@optibid/core';

export type MarketDataSource = 'iso' | 'simulated' | 'off';

/** The public endpoints the clients use when no base URL is configured. */
export const DEFAULT_ISO_BASE_URLS: Readonly<Record<IsoId | 'EIA930', string>> = {
  CAISO: 'https://oasis.caiso.com',
  ERCOT: 'https://api.ercot.com',
  PJM: 'https://api.pjm.com',
  NYISO: 'http://mis.nyiso.com',
  MISO: 'https://docs.misoenergy.org',
  SPP: 'https://portal.spp.org',
  ISONE: 'https://www.iso-ne.com',
  // The cleaned EIA-930 release (CC BY 4.0) as published on GitHub.
  EIA930: 'https://raw.githubusercontent.com/truggles/EIA_Cleaned_Hourly_Electricity_Demand_Data/master',
};

export interface MarketFeedConfig {
  readonly source: MarketDataSource;
  readonly baseUrls: Readonly<Record<IsoId | 'EIA930', string>>;
  readonly pjmApiKey: string | null;
  readonly ercotSubscriptionKey: string | null;
  readonly ercotIdToken: string | null;
  readonly isoneUsername: string | null;
  readonly isonePassword: string | null;
  /** Per-request timeout, also applied to a stalled body. */
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** First backoff delay; each retry doubles it, with full jitter. */
  readonly backoffBaseMs: number;
  /** The longest Retry-After we wait for; a longer one ends the fetch with a recorded error. */
  readonly maxRetryAfterS: number;
}

type Env = Record<string, string | undefined>;

export function loadMarketFeedConfig(env: Env, problems: string[], simulationMode: boolean): MarketFeedConfig {
  const str = (name: string): string | null => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === null) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw}: expected an integer from ${min} to ${max}`);
      return def;
    }
    return n;
  };
  const rawSource = str('MARKET_DATA_SOURCE');
  let source: MarketDataSource = simulationMode ? 'simulated' : 'off';
  if (rawSource !== null) {
    if (rawSource === 'iso' || rawSource === 'simulated' || rawSource === 'off') source = rawSource;
    else problems.push(`MARKET_DATA_SOURCE=${rawSource}: expected one of iso, simulated, off`);
  }
  const baseUrls = { ...DEFAULT_ISO_BASE_URLS };
  for (const key of [...ISO_IDS, 'EIA930'] as const) {
    const name = `ISO_BASE_URL_${key}`;
    const raw = str(name);
    if (raw === null) continue;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      baseUrls[key] = raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name}=${raw}: expected an http:// or https:// URL`);
    }
  }
  return Object.freeze({
    source,
    baseUrls: Object.freeze(baseUrls),
    pjmApiKey: str('PJM_API_KEY'),
    ercotSubscriptionKey: str('ERCOT_API_SUBSCRIPTION_KEY'),
    ercotIdToken: str('ERCOT_API_ID_TOKEN'),
    isoneUsername: str('ISONE_USERNAME'),
    isonePassword: str('ISONE_PASSWORD'),
    timeoutMs: int('ISO_FETCH_TIMEOUT_MS', 30_000, 100, 600_000),
    maxAttempts: int('ISO_FETCH_MAX_ATTEMPTS', 4, 1, 20),
    backoffBaseMs: int('ISO_FETCH_BACKOFF_MS', 2_000, 1, 600_000),
    maxRetryAfterS: int('ISO_FETCH_MAX_RETRY_AFTER_S', 300, 0, 86_400),
  });
}
