/** The scheduled rounds' loop (jobs/periodic.ts): no overlap, a failure retried next round, a stop that waits. */
import { expect, it } from 'vitest';
import { runPeriodically } from '../src/jobs/periodic.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('never runs two rounds at once, goes on after a failed round, and stops after the running round', async () => {
  let active = 0;
  let most = 0;
  let started = 0;
  let finished = 0;
  const errors: string[] = [];
  const stop = runPeriodically(
    async () => {
      const n = ++started;
      active++;
      most = Math.max(most, active);
      // Each round lasts three intervals; the second fails.
      await sleep(30);
      active--;
      finished++;
      if (n === 2) throw new Error('round 2 failed');
    },
    { intervalMs: 10, runNow: true, onError: (err) => errors.push(err.message) },
  );
  expect(started).toBe(1);
  await sleep(150);
  await stop();
  expect(most).toBe(1);
  expect(errors).toEqual(['round 2 failed']);
  expect(started).toBeGreaterThanOrEqual(3);
  // The stop waited for the round it found running, and none started after.
  expect(finished).toBe(started);
  const after = started;
  await sleep(40);
  expect(started).toBe(after);
});

it('waits an interval for its first round unless asked to run now', async () => {
  let rounds = 0;
  const stop = runPeriodically(async () => void rounds++, { intervalMs: 40, runNow: false, onError: () => undefined });
  expect(rounds).toBe(0);
  await sleep(60);
  await stop();
  expect(rounds).toBe(1);
});
