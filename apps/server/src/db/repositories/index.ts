import type { Database } from '../client.js';
import { AccountsRepository } from './accounts.js';
import { AuditRepository } from './audit.js';
import { SessionsRepository } from './sessions.js';

export * from './accounts.js';
export * from './audit.js';
export * from './sessions.js';

export interface Repositories {
  accounts: AccountsRepository;
  sessions: SessionsRepository;
  audit: AuditRepository;
}

export function createRepositories(database: Database): Repositories {
  return {
    accounts: new AccountsRepository(database.db),
    sessions: new SessionsRepository(database.db),
    audit: new AuditRepository(database.db),
  };
}
