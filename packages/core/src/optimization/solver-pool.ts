/**
 * HiGHS (WASM) blocks the thread it runs on, so solves run in a pool of
 * worker threads. Each worker loads HiGHS once, warms it up (the first solve
 * in a fresh WASM instance is slow) and then solves one model at a time; every
 * native model is disposed after its solve, so long runs keep memory flat.
 *
 * The worker is an inline (`eval`) CommonJS script that `require`s `highs`
 * from an absolute path resolved here, and embeds `solveLinearModelWithHighs`
 * by its source text: this works the same from TypeScript sources (vitest,
 * tsx) and from compiled `dist`.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { ModelBuilder, type LinearModel } from './model.js';
import { solveLinearModelWithHighs, type SolveOptions, type SolveResult } from './highs-solve.js';

export interface SolverPoolOptions {
  /** Number of worker threads (default 2). */
  size?: number;
  /** Solve a tiny LP and MILP in each worker at start (default true). */
  warm_up?: boolean;
}

export interface SolverPool {
  readonly size: number;
  /** Resolves when every worker has loaded HiGHS (and warmed up). */
  readonly ready: Promise<void>;
  solve(model: LinearModel, options?: SolveOptions): Promise<SolveResult>;
  close(): Promise<void>;
}

interface Job {
  id: number;
  model: LinearModel;
  options: SolveOptions;
  resolve: (r: SolveResult) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  isReady: boolean;
  busy: Job | null;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loadHighs = require(workerData.highsPath);
const solve = (${solveLinearModelWithHighs.toString()});
loadHighs().then((highs) => {
  for (const model of workerData.warmUp) solve(highs, model, {});
  parentPort.on('message', (msg) => {
    let result;
    try { result = solve(highs, msg.model, msg.options || {}); }
    catch (e) { result = { status: 'error', message: String((e && e.message) || e), time_ms: 0 }; }
    parentPort.postMessage({ id: msg.id, result });
  });
  parentPort.postMessage({ ready: true });
}, (e) => { parentPort.postMessage({ fatal: String((e && e.message) || e) }); });
`;

/** Two tiny models (an LP and a MILP) that make HiGHS compile and exercise both solvers. */
export function warmUpModels(): LinearModel[] {
  const lp = new ModelBuilder('maximize');
  const a = lp.addVar('a', { upper: 4, cost: 1 });
  const b = lp.addVar('b', { upper: 4, cost: 2 });
  lp.le('cap', [[a, 1], [b, 1]], 5);
  const mip = new ModelBuilder('maximize');
  const x = mip.addVar('x', { upper: 10, cost: 3, integer: true });
  const y = mip.addBinary('y', 1);
  mip.le('r', [[x, 2], [y, 1]], 7.5);
  return [lp.build(), mip.build()];
}

let highsPath: string | null = null;
function resolveHighs(): string {
  highsPath ??= createRequire(import.meta.url).resolve('highs');
  return highsPath;
}

export function createSolverPool(options: SolverPoolOptions = {}): SolverPool {
  const size = Math.max(1, Math.floor(options.size ?? 2));
  const warmUp = options.warm_up === false ? [] : warmUpModels();
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { highsPath: resolveHighs(), warmUp } });
    let markReady!: () => void;
    let failReady!: (e: Error) => void;
    const slot: Slot = { worker, busy: null, isReady: false, ready: new Promise<void>((res, rej) => ((markReady = res), (failReady = rej))) };
    worker.on('message', (msg: { id?: number; result?: SolveResult; ready?: boolean; fatal?: string }) => {
      if (msg.ready) {
        slot.isReady = true;
        markReady();
        pump();
        return;
      }
      if (msg.fatal) {
        failReady(new Error(`HiGHS failed to load in the worker: ${msg.fatal}`));
        return;
      }
      const job = slot.busy;
      if (job && msg.id === job.id && msg.result) {
        slot.busy = null;
        job.resolve(msg.result);
        pump();
      }
    });
    const onDeath = (err: unknown) => {
      const idx = slots.indexOf(slot);
      if (idx >= 0) slots.splice(idx, 1);
      failReady(err instanceof Error ? err : new Error(String(err)));
      const job = slot.busy;
      slot.busy = null;
      if (job) job.resolve({ status: 'error', message: `solver worker died: ${err instanceof Error ? err.message : String(err)}`, time_ms: 0 });
      if (!closed) {
        slots.push(spawn());
        pump();
      }
    };
    worker.on('error', onDeath);
    worker.on('exit', (code) => {
      if (!closed && slots.includes(slot)) onDeath(new Error(`exit code ${code}`));
    });
    // An idle pool must not keep the process alive; a busy worker does.
    worker.unref();
    slot.ready.catch(() => undefined);
    return slot;
  };

  const pump = () => {
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (slot.busy || !slot.isReady) continue;
      const job = queue.shift()!;
      slot.busy = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, model: job.model, options: job.options });
    }
    for (const slot of slots) {
      if (slot.busy || queue.length > 0) slot.worker.ref();
      else slot.worker.unref();
    }
  };

  for (let i = 0; i < size; i++) slots.push(spawn());
  const ready = Promise.all(slots.map((s) => s.ready)).then(() => undefined);

  return {
    size,
    ready,
    solve(model, solveOptions = {}) {
      if (closed) return Promise.resolve({ status: 'error', message: 'solver pool is closed', time_ms: 0 });
      return new Promise<SolveResult>((resolve) => {
        queue.push({ id: nextId++, model, options: solveOptions, resolve });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.resolve({ status: 'error', message: 'solver pool closed', time_ms: 0 });
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}

let inThreadHighs: Promise<any> | null = null;

/** Loads HiGHS in the current thread (once) and warms it up. */
export function loadHighsInThread(): Promise<any> {
  inThreadHighs ??= import('highs').then((mod: any) => {
    const load = (mod.default ?? mod) as () => Promise<any>;
    return load().then((highs) => {
      for (const m of warmUpModels()) solveLinearModelWithHighs(highs, m, {});
      return highs;
    });
  });
  return inThreadHighs;
}

/**
 * Solves in the calling thread, blocking it for the duration of the solve.
 * For callers that are already off the main thread (e.g. a backtest job in a
 * worker) or that run many tiny models where the message round trip dominates.
 */
export async function solveInThread(model: LinearModel, options: SolveOptions = {}): Promise<SolveResult> {
  const highs = await loadHighsInThread();
  return solveLinearModelWithHighs(highs, model, options);
}
