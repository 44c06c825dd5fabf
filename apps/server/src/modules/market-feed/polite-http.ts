/**
 * HTTP for the ISO clients: one request at a time per ISO, a timeout that also covers a
 * stalled body, retries with exponential backoff and full jitter on 429/5xx/network errors,
 * and `Retry-After` honoured. Empty bodies are refused here; format checks (a truncated zip)
 * belong to the caller, which knows what it asked for.
 */
export interface HttpRequest {
  url: string;
  /** The URL as it may be logged and stored: no keys or tokens. */
  safeUrl: string;
  headers?: Record<string, string>;
}

export interface HttpResult {
  status: number;
  bytes: Uint8Array;
  attempts: number;
  contentType: string | null;
}

export class FetchFailedError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'FetchFailedError';
  }
}

export interface PoliteHttpOptions {
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  maxRetryAfterS: number;
  /** Source of jitter in [0, 1); injectable so a caller can make waits reproducible. */
  random?: () => number;
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Delay before retry `attempt` (1-based): full jitter over an exponentially growing cap,
 * delay = U(0, 1) · base · 2^(attempt−1) (AWS Architecture Blog, "Exponential Backoff And
 * Jitter", 2015). A server's Retry-After overrides it when longer.
 */
export function backoffDelayMs(attempt: number, baseMs: number, random: () => number): number {
  return Math.round(random() * baseMs * 2 ** (attempt - 1));
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); null when absent or unreadable. */
export function parseRetryAfterS(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const t = Date.parse(value);
  return Number.isFinite(t) ? Math.max(0, Math.ceil((t - now) / 1000)) : null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class PoliteHttp {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly random: () => number;

  constructor(private readonly opts: PoliteHttpOptions) {
    this.random = opts.random ?? Math.random;
  }

  /** Queues a GET behind this ISO's other requests and runs it with retries. */
  get(req: HttpRequest, onRetry?: (attempt: number, reason: string, waitMs: number) => void): Promise<HttpResult> {
    const run = this.queue.then(() => this.getWithRetries(req, onRetry));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async getWithRetries(req: HttpRequest, onRetry?: (attempt: number, reason: string, waitMs: number) => void): Promise<HttpResult> {
    let lastStatus: number | null = null;
    let lastReason = '';
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      let retryAfterS: number | null = null;
      try {
        const res = await this.once(req);
        if (res.status >= 200 && res.status < 300) {
          if (res.bytes.length === 0) throw new FetchFailedError(`${req.safeUrl}: empty response`, res.status, attempt);
          return { ...res, attempts: attempt };
        }
        lastStatus = res.status;
        lastReason = `HTTP ${res.status}`;
        if (!RETRYABLE.has(res.status)) throw new FetchFailedError(`${req.safeUrl}: HTTP ${res.status} ${snippet(res.bytes)}`, res.status, attempt);
        retryAfterS = parseRetryAfterS(res.retryAfter);
        if (retryAfterS !== null && retryAfterS > this.opts.maxRetryAfterS) {
          throw new FetchFailedError(`${req.safeUrl}: HTTP ${res.status} with Retry-After ${retryAfterS} s, longer than the ${this.opts.maxRetryAfterS} s we wait`, res.status, attempt);
        }
      } catch (err) {
        if (err instanceof FetchFailedError) throw err;
        lastReason = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError' ? `timed out after ${this.opts.timeoutMs} ms` : (err as Error).message;
      }
      if (attempt === this.opts.maxAttempts) break;
      const wait = Math.max(backoffDelayMs(attempt, this.opts.backoffBaseMs, this.random), (retryAfterS ?? 0) * 1000);
      onRetry?.(attempt, lastReason, wait);
      await sleep(wait);
    }
    throw new FetchFailedError(`${req.safeUrl}: gave up after ${this.opts.maxAttempts} attempts (${lastReason})`, lastStatus, this.opts.maxAttempts);
  }

  private async once(req: HttpRequest): Promise<{ status: number; bytes: Uint8Array; retryAfter: string | null; contentType: string | null }> {
    // One signal for headers and body, so a server that stalls mid-body is cut off too.
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    const res = await fetch(req.url, { headers: { 'user-agent': 'OptiBid market-data client', ...req.headers }, signal, redirect: 'follow' });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, bytes, retryAfter: res.headers.get('retry-after'), contentType: res.headers.get('content-type') };
  }
}

function snippet(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes.subarray(0, 200)).replace(/\s+/g, ' ').trim();
}
