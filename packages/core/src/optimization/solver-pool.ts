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
import { buildBatteryModel } from './battery.js';
import { solveLinearModelWithHighs, type SolveOptions, type SolveResult } from './highs-solve.js';

export interface SolverPoolOptions {
  /** Number of worker threads (default 2). */
  size?: number;
  /**
   * Warm-up at start (default `full`). V8 first runs WASM in its baseline
   * tier and tiers hot functions up only after real work: measured here, the
   * first ~300 small battery LPs run 5–10× slower (≈1.2 s in all) than later
   * ones. `full` does that work up front; `light` solves one tiny LP and MILP.
   */
  warm_up?: 'full' | 'light' | 'none';
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
  for (const w of workerData.warmUp) for (let i = 0; i < w.repeat; i++) solve(highs, w.model, {});
  parentPort.on('message', (msg) => {
    let result;
    try { result = solve(highs, msg.model, msg.options || {}); }
    catch (e) { result = { status: 'error', message: String((e && e.message) || e), time_ms: 0 }; }
    parentPort.postMessage({ id: msg.id, result });
  });
  parentPort.postMessage({ ready: true });
}, (e) => { parentPort.postMessage({ fatal: String((e && e.message) || e) }); });
`;

export interface WarmUpJob {
  model: LinearModel;
  repeat: number;
}

/** Warm-up work: a tiny LP and MILP (`light`), plus 300 solves of a 36-hour battery LP (`full`). */
export function warmUpJobs(level: 'full' | 'light' | 'none'): WarmUpJob[] {
  if (level === 'none') return [];
  const [lp, mip] = tinyModels();
  const jobs: WarmUpJob[] = [
    { model: lp!, repeat: 1 },
    { model: mip!, repeat: 1 },
  ];
  if (level === 'full') {
    const prices = Array.from({ length: 36 }, (_, t) => 30 + 20 * Math.sin((2 * Math.PI * t) / 24) + ((t * 7) % 5));
    const params = { charge_power_mw: 1, discharge_power_mw: 1, energy_mwh: 2, charge_efficiency: 0.92, discharge_efficiency: 0.92, soc_min_mwh: 0, soc_max_mwh: 2, soc_initial_mwh: 1, degradation_cost_usd_per_mwh: 1, max_cycles_per_day: 1 };
    jobs.push({ model: buildBatteryModel({ params, prices_usd_per_mwh: prices, interval_hours: 1 }), repeat: 300 });
  }
  return jobs;
}

function tinyModels(): LinearModel[] {
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
  const warmUp = warmUpJobs(options.warm_up ?? 'full');
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
    // Loading and warming up keep the process alive (someone may await `ready`);
    // after that an idle worker is unref'd by pump() and a busy one ref'd.
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
      if (slot.busy || queue.length > 0 || !slot.isReady) slot.worker.ref();
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
let inThreadWarm: 'none' | 'light' | 'full' = 'none';

/** Loads HiGHS in the current thread (once) and warms it up to `level` (default `light`; `full` costs ≈1.2 s once). */
export async function loadHighsInThread(level: 'full' | 'light' = 'light'): Promise<any> {
  inThreadHighs ??= import('highs').then((mod: any) => ((mod.default ?? mod) as () => Promise<any>)());
  const highs = await inThreadHighs;
  if (inThreadWarm === 'none' || (level === 'full' && inThreadWarm === 'light')) {
    const jobs = warmUpJobs(level).filter((j) => inThreadWarm === 'none' || j.repeat > 1);
    inThreadWarm = level;
    for (const j of jobs) for (let i = 0; i < j.repeat; i++) solveLinearModelWithHighs(highs, j.model, {});
  }
  return highs;
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
