/** What the server says about itself: health of every service, readiness, public facts for the web app. */
import { randomUUID } from 'node:crypto';
import type { Bus } from '../../bus/index.js';
import type { BusContactRepository } from '../../db/repositories/bus-contacts.js';
import type { Config } from '../../config/index.js';
import { ping, type Database } from '../../db/client.js';
import { DEMO_ACCOUNTS } from '../../demo/accounts.js';
import type { HealthRegistry } from '../../health.js';
import { VERSION } from '../../version.js';

/** How recently another instance must have reached NATS for this one to count as cut off from it. */
export const BUS_CONTACT_WINDOW_S = 30;
/** This instance records reaching NATS at most this often. */
const BUS_CONTACT_EVERY_MS = 5_000;

export interface SystemDeps {
  bus: Pick<Bus, 'backend' | 'health'>;
  /** When each instance last reached NATS (readiness tells cut off from down). */
  contacts: BusContactRepository;
  /** With ANALYTICS_URL: null while ClickHouse serves, else why PostgreSQL does. */
  analyticsNote?: () => Promise<string | null>;
}

export class SystemService {
  /** This instance's name in the bus contacts. */
  readonly instanceId = randomUUID();
  private contactRecordedAt = 0;

  constructor(
    private readonly health: HealthRegistry,
    private readonly database: Database,
    private readonly config: Config,
    private readonly deps: SystemDeps,
  ) {}

  check() {
    return this.health.check();
  }

  /**
   * Ready when the instance is not draining (SIGTERM) and the database answers. With NATS as
   * the bus (BUS_URL), NATS and its JetStream streams are checked too: an instance that cannot
   * reach NATS while another instance reached it in the last 30 s is cut off (it neither
   * receives the other instances' ticks and events nor logs its own), so it is not ready and a
   * load balancer sends its traffic to the others; when no instance reaches NATS, NATS itself is
   * down, and every instance stays ready, serving in-process, with NATS listed in `degraded`
   * (taking them all out would turn a degraded service into none). Liveness stays ok either
   * way: a restart would not help. A configured analytics store that cannot serve is listed in
   * `degraded` too (PostgreSQL answers its reads). Each check is bounded by `timeoutMs`.
   */
  async readiness(timeoutMs = 2000): Promise<{ ready: boolean; message?: string; checks: Record<string, 'ok' | 'down'>; degraded?: string[] }> {
    const draining = this.health.draining;
    if (draining !== null) return { ready: false, message: `draining: this instance is shutting down (since ${new Date(draining).toISOString()}); use another instance`, checks: { draining: 'down' } };
    const { bus, contacts } = this.deps;
    const checks: Record<string, 'ok' | 'down'> = {};
    const [db, nats] = await Promise.all([
      bounded(ping(this.database).then(() => null), timeoutMs),
      bus.backend === 'nats' ? bounded(bus.health().then((h) => (h.status === 'ok' ? null : (h.message ?? h.status))), timeoutMs) : Promise.resolve(undefined),
    ]);
    checks.database = db === null ? 'ok' : 'down';
    if (db !== null) return { ready: false, message: `database: ${db}`, checks };
    const degraded: string[] = [];
    if (nats !== undefined) {
      checks.nats = nats === null ? 'ok' : 'down';
      if (nats === null) {
        if (Date.now() - this.contactRecordedAt >= BUS_CONTACT_EVERY_MS) {
          await bounded(contacts.record(this.instanceId).then(() => null), timeoutMs);
          this.contactRecordedAt = Date.now();
        }
      } else {
        const others = await contacts.othersReachedWithin(this.instanceId, BUS_CONTACT_WINDOW_S).catch(() => false);
        if (others) return { ready: false, message: `nats: ${nats}; other instances reach it, this one is cut off`, checks };
        degraded.push(`nats: ${nats}; no instance reaches it: serving in-process only`);
      }
    }
    const note = this.deps.analyticsNote ? await this.deps.analyticsNote().catch((err: Error) => `analytics: ${err.message}`) : null;
    if (note) degraded.push(note);
    return degraded.length ? { ready: true, checks, degraded } : { ready: true, checks };
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
