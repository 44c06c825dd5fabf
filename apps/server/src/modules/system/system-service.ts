/** What the server says about itself: health of every service, readiness, public facts for the web app. */
import type { Bus } from '../../bus/index.js';
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
    private readonly bus: Pick<Bus, 'backend' | 'health'>,
    /** With ANALYTICS_URL: null while ClickHouse serves, else why PostgreSQL does. */
    private readonly analyticsNote?: () => Promise<string | null>,
  ) {}

  check() {
    return this.health.check();
  }

  /**
   * Ready when the instance is not draining (SIGTERM), the database answers and, when the bus
   * is NATS (BUS_URL), NATS with its JetStream streams answers too: an instance cut off from
   * NATS keeps serving whoever reaches it, but neither receives the other instances' ticks and
   * events nor logs its own, so a load balancer should send traffic elsewhere (liveness stays
   * ok: a restart would not help). A configured analytics store that cannot serve is listed in
   * `degraded` but does not make the instance unready: PostgreSQL answers its reads meanwhile.
   * Each check is bounded by `timeoutMs`.
   */
  async readiness(timeoutMs = 2000): Promise<{ ready: boolean; message?: string; checks: Record<string, 'ok' | 'down'>; degraded?: string[] }> {
    const draining = this.health.draining;
    if (draining !== null) return { ready: false, message: `draining: this instance is shutting down (since ${new Date(draining).toISOString()}); use another instance`, checks: { draining: 'down' } };
    const checks: Record<string, 'ok' | 'down'> = {};
    const problems: string[] = [];
    const [db, nats] = await Promise.all([
      bounded(ping(this.database).then(() => null), timeoutMs),
      this.bus.backend === 'nats' ? bounded(this.bus.health().then((h) => (h.status === 'ok' ? null : (h.message ?? h.status))), timeoutMs) : Promise.resolve(undefined),
    ]);
    checks.database = db === null ? 'ok' : 'down';
    if (db !== null) problems.push(`database: ${db}`);
    if (nats !== undefined) {
      checks.nats = nats === null ? 'ok' : 'down';
      if (nats !== null) problems.push(`nats: ${nats}`);
    }
    if (problems.length) return { ready: false, message: problems.join('; '), checks };
    const note = this.analyticsNote ? await this.analyticsNote().catch((err: Error) => `analytics: ${err.message}`) : null;
    return note ? { ready: true, checks, degraded: [note] } : { ready: true, checks };
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

/** null when `p` resolves to null in time, else why not. */
async function bounded(p: Promise<string | null>, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.catch((err: Error) => err.message), new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}
