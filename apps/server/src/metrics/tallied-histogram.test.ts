import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TalliedHistogram } from './tallied-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const config = { name: 'demo_seconds', help: 'demo', labelNames: ['route', 'status_code'] as const, buckets: BUCKETS };

/** Values on and between bounds, beyond the last one, and zero. */
const VALUES = [0, 0.0005, 0.001, 0.0011, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 1e-9];

describe('TalliedHistogram', () => {
  it('scrapes exactly as prom-client observing each value, mixing observe and tallies on one label set and others', async () => {
    const plainRegistry = new Registry();
    const plain = new Histogram({ ...config, labelNames: [...config.labelNames], registers: [plainRegistry] });
    const talliedRegistry = new Registry();
    const tallied = new TalliedHistogram({ ...config, registers: [talliedRegistry] });

    const shared = { route: '/api/prices', status_code: 200 };
    const tallyShared = tallied.tally(shared);
    const tallyOnly = tallied.tally({ route: '/api/prices/latest', status_code: 304 });
    for (const v of VALUES) {
      plain.observe(shared, v);
      tallyShared.observe(v);
      plain.observe(shared, v * 3);
      tallied.observe(shared, v * 3);
      plain.observe({ route: '/api/prices/latest', status_code: 304 }, v);
      tallyOnly.observe(v);
      plain.observe({ route: '/health', status_code: 200 }, v);
      tallied.observe({ route: '/health', status_code: 200 }, v);
    }
    const lines = (text: string) => text.trim().split('\n').sort();
    expect(lines(await talliedRegistry.metrics())).toEqual(lines(await plainRegistry.metrics()));
    const json = async (r: Registry) => (await r.getMetricsAsJSON())[0]!.values.map((v) => JSON.stringify([v.metricName, Object.entries(v.labels).sort(), v.value])).sort();
    expect(await json(talliedRegistry)).toEqual(await json(plainRegistry));

    // A reset empties tallies too; a tally kept from before counts again afterwards.
    talliedRegistry.resetMetrics();
    plainRegistry.resetMetrics();
    tallyShared.observe(0.02);
    plain.observe(shared, 0.02);
    expect(lines(await talliedRegistry.metrics())).toEqual(lines(await plainRegistry.metrics()));
  });
});
