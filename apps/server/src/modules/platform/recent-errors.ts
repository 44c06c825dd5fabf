/** The last server errors (5xx), kept in memory for the admin console's System tab. */
import type { App } from '../../http/types.js';

export interface RecentError {
  at: string;
  request_id: string | null;
  method: string | null;
  url: string | null;
  status: number;
  message: string;
}

export class RecentErrors {
  private readonly items: RecentError[] = [];

  constructor(private readonly max = 50) {}

  add(e: RecentError): void {
    this.items.unshift(e);
    if (this.items.length > this.max) this.items.length = this.max;
  }

  list(): RecentError[] {
    return [...this.items];
  }

  install(app: App): void {
    app.addHook('onError', async (req, _reply, err) => {
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      if (status < 500) return;
      this.add({ at: new Date().toISOString(), request_id: req.id, method: req.method, url: req.url.split('?')[0] ?? null, status, message: err.message.slice(0, 500) });
    });
  }
}

/** Messages per second seen on the bus, over a sliding window of whole seconds. */
export class BusRate {
  private readonly buckets = new Map<number, number>();

  constructor(private readonly windowS = 10) {}

  count(): void {
    const s = Math.floor(Date.now() / 1000);
    this.buckets.set(s, (this.buckets.get(s) ?? 0) + 1);
    if (this.buckets.size > this.windowS * 2) for (const k of this.buckets.keys()) if (k < s - this.windowS) this.buckets.delete(k);
  }

  perSecond(): number {
    const now = Math.floor(Date.now() / 1000);
    let n = 0;
    // Whole seconds only: the current one is still filling.
    for (const [k, v] of this.buckets) if (k < now && k >= now - this.windowS) n += v;
    return Math.round((n / this.windowS) * 100) / 100;
  }
}
