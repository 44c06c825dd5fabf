/**
 * CPU pinning for the benches that put a server and its load generator on one machine: the
 * server's event loop on core 0 and the clients on the others, as the clients of a deployment
 * run on other machines. Without it the scheduler moves client threads onto the server's core
 * and back, and a figure measures that shuffle as much as the server. Linux `taskset` only;
 * every function here reports "cannot" rather than failing where it is missing.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

const taskset = (args: string[]) => execFileSync('taskset', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

/** The cores clients get when the server holds core 0 ("1" or "1-N"); null with one core. */
export function clientCores(): string | null {
  const cores = os.cpus().length;
  if (cores < 2) return null;
  return cores > 2 ? `1-${cores - 1}` : '1';
}

/** Whether `taskset` works here and there are cores to split. */
export function canPin(): boolean {
  if (clientCores() === null) return false;
  try {
    taskset(['-p', String(process.pid)]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Pins this process's main thread (its id is the process id; worker threads keep their own
 * affinity) to core 0, and each thread id in `clientTids` to the other cores. Returns how to put
 * the main thread's affinity back, with a label for the figures; null where it cannot.
 */
export function pinMainThread(clientTids: number[] = []): { label: string; restore: () => void } | null {
  const cores = clientCores();
  if (cores === null) return null;
  let mask: string;
  try {
    // "pid 123's current affinity mask: 3"
    mask = taskset(['-p', String(process.pid)]).trim().split(' ').pop()!;
  } catch {
    return null;
  }
  const restore = () => {
    try {
      taskset(['-p', mask, String(process.pid)]);
    } catch {
      // the process keeps core 0 only: the benches after this one would say so in their figures
    }
  };
  try {
    taskset(['-pc', '0', String(process.pid)]);
    for (const tid of clientTids) taskset(['-pc', cores, String(tid)]);
    return { label: `server thread pinned to core 0, clients to core${cores.includes('-') ? `s ${cores}` : ` ${cores}`}`, restore };
  } catch {
    restore();
    return null;
  }
}

/**
 * The command and arguments that run `argv` (a node command line) on `cores` when `pin` is true:
 * `taskset -c cores node …` (taskset execs it, so the pid, stdio and IPC channel are node's own).
 */
export function pinnedCommand(pin: boolean, cores: string, argv: [string, ...string[]]): { command: string; args: string[] } {
  return pin ? { command: 'taskset', args: ['-c', cores, ...argv] } : { command: argv[0], args: argv.slice(1) };
}
