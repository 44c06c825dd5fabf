/** What the server says about itself: health of every service, readiness, public facts for the web app. */
import type { Config } from '../../config/index.js';
import { ping, type Database } from '../../db/client.js';
import { DEMO_ACCOUNTS } from '../../demo/accounts.js';
import type { HealthRegistry } from '../../health.js';
import { VERSION } from '../../version.js';

export class SystemService {
  constructor(
    private readonly health: HealthRegistry,
    private readonly database: Database,
    private readonly config: Config,
    /** With ANALYTICS_URL: null while ClickHouse serves, else why PostgreSQL does. */
    private readonly analyticsNote?: () => Promise<string | null>,
  ) {}

  check() {
    return this.health.check();
  }

  /**
   * Ready when the database answers and the instance is not draining (SIGTERM); otherwise the reason. A configured analytics
   * store that cannot serve is listed in `degraded` but does not make the instance unready:
   * PostgreSQL answers its reads meanwhile.
   */
  async readiness(): Promise<{ ready: true; degraded?: string[] } | { ready: false; message: string }> {
    const draining = this.health.draining;
    if (draining !== null) return { ready: false, message: `draining: this instance is shutting down (since ${new Date(draining).toISOString()}); use another instance` };
    try {
      await ping(this.database);
    } catch (err) {
      return { ready: false, message: (err as Error).message };
    }
    const note = this.analyticsNote ? await this.analyticsNote().catch((err: Error) => `analytics: ${err.message}`) : null;
    return note ? { ready: true, degraded: [note] } : { ready: true };
  }

  meta() {
    const c = this.config;
    return {
      name: 'OptiBid',
      version: VERSION,
      environment: c.env,
      demo_mode: c.demoMode,
      simulation_mode: c.simulationMode,
      public_market_data: c.publicMarketData,
      demo_accounts: c.demoMode ? DEMO_ACCOUNTS.map(({ email, password, role }) => ({ email, password, role })) : [],
    };
  }
}
