import type { Database } from '../../client.js';
import { AdminRepository } from './admin.js';
import { AlertStatesRepository } from './alert-states.js';
import { AlertsRepository } from './alerts.js';
import { BillingRepository } from './billing.js';
import { FlagsRepository } from './flags.js';
import { OrgAdminRepository } from './org-admin.js';
import { SecurityRepository } from './security.js';

export * from './admin.js';
export * from './alert-states.js';
export * from './alerts.js';
export * from './billing.js';
export * from './flags.js';
export * from './org-admin.js';
export * from './security.js';

export interface PlatformRepositories {
  orgAdmin: OrgAdminRepository;
  security: SecurityRepository;
  billing: BillingRepository;
  flags: FlagsRepository;
  alerts: AlertsRepository;
  alertStates: AlertStatesRepository;
  admin: AdminRepository;
}

export function createPlatformRepositories(database: Database): PlatformRepositories {
  return {
    orgAdmin: new OrgAdminRepository(database),
    security: new SecurityRepository(database),
    billing: new BillingRepository(database),
    flags: new FlagsRepository(database),
    alerts: new AlertsRepository(database),
    alertStates: new AlertStatesRepository(database),
    admin: new AdminRepository(database),
  };
}
