import type { Database } from '../client.js';
import { AccountsRepository } from './accounts.js';
import { AncillaryPricesRepository } from './ancillary-prices.js';
import { AuditRepository } from './audit.js';
import { SessionsRepository } from './sessions.js';
import { PricesRepository } from './prices.js';
import { SettingsRepository } from './settings.js';

export * from './accounts.js';
export * from './ancillary-prices.js';
export * from './audit.js';
export * from './sessions.js';
export * from './prices.js';
export * from './settings.js';

export interface Repositories {
  accounts: AccountsRepository;
  sessions: SessionsRepository;
  audit: AuditRepository;
  prices: PricesRepository;
  ancillaryPrices: AncillaryPricesRepository;
  settings: SettingsRepository;
}

export function createRepositories(database: Database): Repositories {
  return {
    accounts: new AccountsRepository(database),
    sessions: new SessionsRepository(database),
    audit: new AuditRepository(database),
    prices: new PricesRepository(database),
    ancillaryPrices: new AncillaryPricesRepository(database),
    settings: new SettingsRepository(database),
  };
}
