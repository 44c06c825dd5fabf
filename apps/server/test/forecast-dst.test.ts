/**
 * Forecasts on the market-local delivery day across DST changes: the 25-hour
 * fall-back day and the 23-hour spring-forward day in NYISO (America/New_York),
 * each hour's interval_start one UTC hour after the previous one. Prices are a
 * synthetic daily shape (price = 20 + local hour) so the expected values are known.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localDayBoundsUtc, utcToZonedParts } from '@optibid/core';
import { bearer, describeEachBackend, registerUser, type TestServer } from './helpers.js';
import { startForecastServer } from './forecast-helpers.js';

const TZ = 'America/New_York';

/** Hourly DA prices for local days [from, to], price = 20 + local clock hour. */
function shapedPrices(from: string, to: string) {
  const start = localDayBoundsUtc(from, TZ).start.getTime();
  const end = localDayBoundsUtc(to, TZ).end.getTime();
  const rows = [];
  for (let t = start; t < end; t += 3_600_000) {
    rows.push({
      market: 'NYISO', location: 'CAPITL', run: 'DA' as const,
      interval_start: new Date(t), interval_end: new Date(t + 3_600_000),
      lmp_usd_per_mwh: 20 + utcToZonedParts(t, TZ).hour, energy_usd_per_mwh: null, congestion_usd_per_mwh: null, loss_usd_per_mwh: null, source: 'test',
    });
  }
  return rows;
}

describeEachBackend('forecasts across DST', (backend) => {
  let server: TestServer;
  let token: string;
  let modelId: string;

  beforeAll(async () => {
    server = await startForecastServer(backend);
    await server.ctx.repos.prices.upsert([...shapedPrices('2020-10-05', '2020-10-31'), ...shapedPrices('2021-02-20', '2021-03-13')]);
    token = (await registerUser(server.app)).access_token;
    const m = await server.app.inject({ method: 'POST', url: '/api/models', headers: bearer(token), payload: { name: 'capital naive', market: 'NYISO', location: 'CAPITL', model_type: 'weekly-naive' } });
    modelId = m.json().id;
    const t = await server.app.inject({ method: 'POST', url: `/api/models/${modelId}/versions`, headers: bearer(token), payload: { eval_days: 8, warmup_days: 0 } });
    expect(t.statusCode, t.body).toBe(202);
    await server.ctx.forecasting.registry.awaitRun(t.json().run.id);
    await server.app.inject({ method: 'POST', url: `/api/models/${modelId}/versions/1/stage`, headers: bearer(token), payload: { stage: 'production' } });
  }, 60_000);
  afterAll(async () => server?.close());

  const forecast = async (date: string) => {
    const r = await server.app.inject({ method: 'POST', url: '/api/forecasts', headers: bearer(token), payload: { market: 'NYISO', location: 'CAPITL', delivery_date: date } });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { hours: { interval_start: string; point: number; p10: number; p90: number }[] };
  };

  it('gives the fall-back day 25 hours, the repeated 01:00 hour twice', async () => {
    const f = await forecast('2020-11-01');
    expect(f.hours).toHaveLength(25);
    expect(f.hours[0]!.interval_start).toBe('2020-11-01T04:00:00.000Z');
    expect(f.hours[24]!.interval_start).toBe('2020-11-02T04:00:00.000Z');
    f.hours.forEach((h, i) => i && expect(Date.parse(h.interval_start) - Date.parse(f.hours[i - 1]!.interval_start)).toBe(3_600_000));
    // Weekly naive on a repeating shape: each hour's value is its local clock hour's price.
    const localHours = f.hours.map((h) => utcToZonedParts(new Date(h.interval_start), TZ).hour);
    expect(localHours.slice(0, 4)).toEqual([0, 1, 1, 2]);
    f.hours.forEach((h, i) => expect(h.point).toBeCloseTo(20 + localHours[i]!, 9));
    // A perfect model on the evaluation days: no residual spread.
    for (const h of f.hours) expect(h.p90 - h.p10).toBeCloseTo(0, 9);
  });

  it('gives the spring-forward day 23 hours, without 02:00', async () => {
    const f = await forecast('2021-03-14');
    expect(f.hours).toHaveLength(23);
    expect(f.hours[0]!.interval_start).toBe('2021-03-14T05:00:00.000Z');
    expect(f.hours[22]!.interval_start).toBe('2021-03-15T03:00:00.000Z');
    const localHours = f.hours.map((h) => utcToZonedParts(new Date(h.interval_start), TZ).hour);
    expect(localHours).not.toContain(2);
    f.hours.forEach((h, i) => expect(h.point).toBeCloseTo(20 + localHours[i]!, 9));
  });
});
