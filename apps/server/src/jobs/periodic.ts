/**
 * The loop of this instance's scheduled rounds (outbox sweep, clearing, fetch and forecast
 * planning): a round every `intervalMs`, never two at once (a round still running when the next
 * is due is skipped), a failed round logged and tried again at the next, a timer that keeps no
 * process alive, and a stop that waits for the running round.
 */
export function runPeriodically(round: () => Promise<void>, opts: { intervalMs: number; runNow: boolean; onError: (err: Error) => void }): () => Promise<void> {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = round()
      .catch(opts.onError)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref?.();
  if (opts.runNow) tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    if (running) await running;
  };
}
