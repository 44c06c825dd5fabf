/**
 * One pool of worker threads for the server's CPU-heavy work (forecast
 * training and serving, price-file decompression and parsing), so the event
 * loop keeps answering requests, WebSockets and heartbeats while a model fits
 * or an upload is opened. Built on piscina: a bounded
 * queue, AbortSignal cancellation (a stopping server terminates a training)
 * and transfer lists, so price histories move to a worker without a copy.
 *
 * HiGHS solves stay in core's solver pool (`createSolverPool`), the pool's
 * optimisation lane: its workers keep one warmed-up WASM instance each (the
 * first ~300 LPs of a fresh instance run 5–10× slower), core's backtests and
 * the CLI use it without a server, and a solve is milliseconds, far below
 * the granularity at which a generic task queue pays off. Both lanes start
 * lazily (on their first task) and close with the server.
 *
 * Task modules are loaded by file: the worker runs compiled JavaScript, so a
 * task module named by its source (`.ts`, under vitest or tsx) runs from its
 * `dist` twin, which `npm run build` produces (tests run after a build).
 */
import fs from 'node:fs';
import type { TransferListItem } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { move, Piscina, transferableSymbol, valueSymbol } from 'piscina';

export interface ComputePoolOptions {
  /** Worker threads (default: cores − 1, at least 1). */
  threads: number;
  /** Told each task's time, queueing included (metrics). */
  observe?: (task: string, outcome: 'ok' | 'error', seconds: number) => void;
}

export interface TaskOptions {
  transferList?: TransferListItem[];
  signal?: AbortSignal;
}

export class ComputePool {
  private readonly pool: Piscina;
  private readonly files = new Map<string, string>();
  private readonly observe: NonNullable<ComputePoolOptions['observe']>;

  constructor(opts: ComputePoolOptions) {
    this.observe = opts.observe ?? (() => undefined);
    const threads = Math.max(1, Math.floor(opts.threads));
    // Threads start on the first task and stop after a minute idle: a server that never forecasts pays nothing.
    this.pool = new Piscina({ minThreads: 0, maxThreads: threads, idleTimeout: 60_000, concurrentTasksPerWorker: 1 });
  }

  get threads(): number {
    return this.pool.options.maxThreads;
  }

  /** Tasks waiting for a free thread. */
  get queued(): number {
    return this.pool.queueSize;
  }

  /** Runs the exported function `name` of the task module at `moduleUrl` (an `import.meta.url`) in a worker. */
  async run<R>(moduleUrl: string, name: string, input: unknown, opts: TaskOptions = {}): Promise<R> {
    const t0 = performance.now();
    try {
      const out = (await this.pool.run(input, { filename: this.workerFile(moduleUrl), name, transferList: opts.transferList as never, signal: opts.signal })) as R;
      this.observe(name, 'ok', (performance.now() - t0) / 1000);
      return out;
    } catch (err) {
      this.observe(name, 'error', (performance.now() - t0) / 1000);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }

  private workerFile(moduleUrl: string): string {
    let file = this.files.get(moduleUrl);
    if (file) return file;
    const path = fileURLToPath(moduleUrl);
    file = path.endsWith('.ts') ? path.replace(/([/\\])src([/\\])(?!.*[/\\]src[/\\])/, '$1dist$2').replace(/\.ts$/, '.js') : path;
    if (!fs.existsSync(file)) throw new Error(`worker task module ${file} is missing: run \`npm run build\``);
    this.files.set(moduleUrl, file);
    return file;
  }
}

/**
 * A task's return value whose `buffers` move back to the caller instead of
 * being copied (call it in the worker, on the value a task function returns).
 */
export function movable<T extends object>(value: T, buffers: TransferListItem[]): T {
  return move({
    get [transferableSymbol]() {
      return buffers;
    },
    get [valueSymbol]() {
      return value;
    },
  } as never) as unknown as T;
}

export function defaultComputeThreads(cores: number): number {
  return Math.max(1, cores - 1);
}
