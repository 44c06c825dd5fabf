/**
 * The registry of services /health reports. Each probe really touches its
 * service (a query, a ping) under a timeout; later modules register theirs.
 */
import type { ServiceHealth, HealthBody } from '@optibid/contracts';

export type Probe = () => Promise<ServiceHealth>;

export interface ProbeOptions {
  /** A critical service being down makes the whole server down (not just degraded). */
  critical?: boolean;
  timeoutMs?: number;
}

export class HealthRegistry {
  private readonly probes = new Map<string, { probe: Probe; opts: ProbeOptions }>();
  private readonly startedAt = Date.now();
  private drainingSince: number | null = null;

  constructor(private readonly version: string) {}

  /** The instance is shutting down (SIGTERM): `/health/ready` answers 503 from now on, so a load balancer stops sending it work. */
  beginDrain(): void {
    this.drainingSince ??= Date.now();
  }

  /** Since when the instance drains (epoch ms), or null while it serves. */
  get draining(): number | null {
    return this.drainingSince;
  }

  register(name: string, probe: Probe, opts: ProbeOptions = {}): void {
    this.probes.set(name, { probe, opts });
  }

  names(): string[] {
    return [...this.probes.keys()];
  }

  uptimeS(): number {
    return Math.round((Date.now() - this.startedAt) / 100) / 10;
  }

  async check(): Promise<HealthBody> {
    const entries = await Promise.all(
      [...this.probes].map(async ([name, { probe, opts }]) => [name, await runProbe(probe, opts.timeoutMs ?? 2000), opts] as const),
    );
    const services: Record<string, ServiceHealth> = {};
    let status: HealthBody['status'] = 'ok';
    let available = 0;
    for (const [name, result, opts] of entries) {
      services[name] = result;
      if (result.status === 'ok') available++;
      else if (result.status === 'down' && opts.critical) status = 'down';
      else if (status === 'ok') status = 'degraded';
    }
    const total = entries.length;
    return {
      status,
      version: this.version,
      uptime_s: this.uptimeS(),
      checked_at: new Date().toISOString(),
      services,
      summary: {
        available_services: available,
        total_services: total,
        availability_percentage: total ? Math.round((available / total) * 10000) / 100 : 100,
      },
    };
  }
}

async function runProbe(probe: Probe, timeoutMs: number): Promise<ServiceHealth> {
  let timer: NodeJS.Timeout | undefined;
  const t0 = performance.now();
  try {
    const timeout = new Promise<ServiceHealth>((resolve) => {
      timer = setTimeout(() => resolve({ status: 'down', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    });
    const result = await Promise.race([probe(), timeout]);
    return { latency_ms: Math.round((performance.now() - t0) * 100) / 100, ...result };
  } catch (err) {
    return { status: 'down', message: (err as Error).message, latency_ms: Math.round((performance.now() - t0) * 100) / 100 };
  } finally {
    clearTimeout(timer);
  }
}
