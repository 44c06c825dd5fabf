/**
 * The client side of the combined-load bench, run as `node -e` in a child process so its work
 * (JSON, the 30 MB upload) never runs on the server's event loop. Plain JavaScript on Node's
 * fetch. It reads its job from BENCH_JOB, prints one JSON line per phase and the report last.
 */
export const CLIENT_SCRIPT = `
const job = JSON.parse(process.env.BENCH_JOB);
const fs = require('node:fs');
const path = require('node:path');
const emit = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
let token = '';
async function api(method, url, body) {
  const r = await fetch(job.base + url, {
    method,
    headers: { authorization: 'Bearer ' + token, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(method + ' ' + url + ' ' + r.status + ': ' + text.slice(0, 300));
  return JSON.parse(text);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function probe(until) {
  const lat = [];
  let errors = 0;
  while (!until()) {
    const t = performance.now();
    try {
      const r = await fetch(job.base + '/health/live');
      await r.arrayBuffer();
      if (r.status !== 200) errors++;
    } catch { errors++; }
    lat.push(performance.now() - t);
    await sleep(20);
  }
  lat.sort((a, b) => a - b);
  const q = (p) => (lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] * 100) / 100 : null);
  return { count: lat.length, p50_ms: q(0.5), p99_ms: q(0.99), max_ms: q(1), errors };
}
async function timed(fn) {
  const t = performance.now();
  try {
    const detail = await fn();
    process.stderr.write('done after ' + Math.round(performance.now() - t) + ' ms: ' + detail + '\\n');
    return { ms: performance.now() - t, status: 'ok', detail };
  } catch (err) {
    return { ms: performance.now() - t, status: 'failed', detail: String(err && err.message || err).slice(0, 300) };
  }
}
(async () => {
  token = (await api('POST', '/api/auth/login', { email: job.email, password: job.password })).access_token;
  // hybrid-rw is one of our own models, behind the own_forecast_model flag: the platform admin turns it on for its organisation.
  const me = await api('GET', '/api/auth/me');
  await api('PUT', '/api/admin/features/own_forecast_model/overrides/' + me.organization.id, { enabled: true });
  const asset = await api('POST', '/api/assets', {
    name: 'Bench COMED Battery', type: 'battery', market: 'PJM', location: 'COMED',
    params: { charge_power_mw: 10, discharge_power_mw: 10, energy_mwh: 40, charge_efficiency: 0.95, discharge_efficiency: 0.95, soc_min_mwh: 4, soc_max_mwh: 40, soc_initial_mwh: 20, degradation_cost_usd_per_mwh: 2 },
  });
  const upload = fs.readFileSync(job.importFile);
  await fetch(job.base + '/health/live').then((r) => r.arrayBuffer());
  emit({ phase: 'baseline' });
  const t0 = performance.now();
  const baseline = await probe(() => performance.now() - t0 > job.baselineMs);
  emit({ phase: 'load' });
  let done = false;
  const probing = probe(() => done);
  const tasks = await Promise.all([
    timed(async () => {
      const r = await api('POST', '/api/optimize', { asset_id: asset.id, run: 'DA', delivery_date: job.forecastDay, price_source: { type: 'forecast', model: 'hybrid-rw' } });
      return 'PJM COMED ' + job.forecastDay + ', ' + r.price_source.model;
    }),
    timed(async () => {
      let b = await api('POST', '/api/backtests', {
        market: 'NYISO', location: 'N.Y.C.', start: job.backtestStart, end: job.backtestEnd, strategy: 'persistence',
        battery: { charge_power_mw: 10, discharge_power_mw: 10, energy_mwh: 40, round_trip_efficiency: 0.9, soc_min_mwh: 0, soc_max_mwh: 40, soc_initial_mwh: 20, degradation_cost_usd_per_mwh: 2 },
      });
      while (b.status !== 'succeeded' && b.status !== 'failed') {
        await sleep(250);
        b = await api('GET', '/api/backtests/' + b.id);
      }
      if (b.status !== 'succeeded') throw new Error('backtest ' + b.status + ': ' + b.error);
      return 'NYISO N.Y.C. ' + job.backtestStart + ' – ' + job.backtestEnd + ', ' + b.result.daily.length + ' days, job';
    }),
    timed(async () => {
      const form = new FormData();
      form.append('files', new Blob([upload]), path.basename(job.importFile));
      const r = await fetch(job.base + '/api/prices/import', { method: 'POST', headers: { authorization: 'Bearer ' + token }, body: form });
      const body = await r.json();
      if (r.status !== 200) throw new Error('import ' + r.status + ': ' + JSON.stringify(body).slice(0, 300));
      return body.inserted + ' rows inserted, ' + (upload.length / 2 ** 20).toFixed(1) + ' MiB CSV';
    }),
  ]);
  done = true;
  const load = await probing;
  emit({ report: { baseline_probe: baseline, load_probe: load, tasks: { 'cold hybrid-rw forecast (POST /api/optimize)': tasks[0], 'one-year backtest (job)': tasks[1], '300k-row import (POST /api/prices/import)': tasks[2] } } });
})().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
`;
