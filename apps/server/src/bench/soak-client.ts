/**
 * The client side of the soak bench, run as `node -e` in a child process (its own event loop).
 * Plain JavaScript on Node's fetch and `ws`. Reads its job from BENCH_JOB, prints
 * `{"phase":"start"}` when the load begins and `{"report":…}` at the end.
 */
export const SOAK_CLIENT_SCRIPT = `
const job = JSON.parse(process.env.BENCH_JOB);
const WebSocket = require(job.wsPath);
const emit = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = {};
const examples = [];
let total = 0;
let errors = 0;
let token = '';
function record(kind, ms, ok, what) {
  const s = (stats[kind] ??= { lat: [], errors: 0 });
  s.lat.push(ms);
  total++;
  if (!ok) {
    s.errors++;
    errors++;
    if (examples.length < 10) examples.push(kind + ': ' + what);
  }
}
async function call(kind, method, url, body, headers) {
  const t = performance.now();
  try {
    const r = await fetch(job.base + url, {
      method,
      headers: { authorization: 'Bearer ' + token, ...(body ? { 'content-type': 'application/json' } : {}), ...(headers || {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    const ok = r.status >= 200 && r.status < 400;
    record(kind, performance.now() - t, ok, r.status + ' ' + text.slice(0, 200));
    return ok && text ? JSON.parse(text) : null;
  } catch (err) {
    record(kind, performance.now() - t, false, String(err && err.cause ? err.cause.code || err.cause.message : err && err.message || err));
    return null;
  }
}
const ymd = (ms) => new Date(ms).toISOString().slice(0, 10);
const DAY = 86400000;
const MARKETS = ['pjm', 'ercot', 'caiso', 'nyiso', 'miso', 'spp', 'isone'];
const curve = [{ mw: -10, price_usd_per_mwh: 20 }, { mw: 10, price_usd_per_mwh: 50 }];
let n = 0;
async function readLoop(stop) {
  while (!stop()) {
    const k = n++;
    const r = k % 20;
    const day = Date.now() - (1 + (k % 30)) * DAY;
    if (r < 9) await call('GET /api/prices (1 day, 1 hub)', 'GET', '/api/prices?market=pjm&location=' + encodeURIComponent(job.pjmHub) + '&run=DA&start=' + ymd(day) + '&end=' + ymd(day + DAY));
    else if (r < 15) await call('GET /api/prices/latest', 'GET', '/api/prices/latest?market=' + MARKETS[k % MARKETS.length]);
    else await call('GET /api/prices/stats (30 days)', 'GET', '/api/prices/stats?market=pjm&location=' + encodeURIComponent(job.pjmHub) + '&run=DA&start=' + ymd(day - 30 * DAY) + '&end=' + ymd(day));
  }
}
async function bidLoop(stop) {
  const keys = [];
  while (!stop()) {
    const replay = keys.length > 0 && keys.length % 5 === 0 && Math.random() < 0.5;
    const key = replay ? keys[Math.floor(Math.random() * keys.length)] : 'soak-' + process.pid + '-' + keys.length;
    const bid = await call('POST /api/bids (Idempotency-Key' + (replay ? ', replayed' : '') + ')', 'POST', '/api/bids', { asset_id: job.assetId, run: 'DA', delivery_date: job.bidDay, curves: Array.from({ length: job.bidHours }, () => curve) }, { 'idempotency-key': key });
    if (!replay) keys.push(key);
    // One day-ahead bid per asset and day: each new bid is submitted, then cancelled for the next.
    if (bid && !replay) {
      await call('POST /api/bids/:id/submit', 'POST', '/api/bids/' + bid.id + '/submit', null, { 'idempotency-key': 'submit-' + key });
      await call('POST /api/bids/:id/cancel', 'POST', '/api/bids/' + bid.id + '/cancel', null, { 'idempotency-key': 'cancel-' + key });
    }
    await sleep(250);
  }
}
(async () => {
  const login = await fetch(job.base + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: job.email, password: job.password }) });
  if (login.status !== 200) throw new Error('login ' + login.status + ': ' + (await login.text()));
  token = (await login.json()).access_token;
  const ws = { clients: job.wsClients, messages: 0, errors: 0 };
  let ending = false;
  const sockets = await Promise.all(Array.from({ length: job.wsClients }, (_, i) => new Promise((resolve, reject) => {
    const s = new WebSocket(job.base.replace('http', 'ws') + '/api/ws/ws/market/' + ['ercot', 'pjm', 'caiso', 'nyiso', 'miso'][i % 5]);
    s.on('open', () => resolve(s));
    s.on('error', (err) => { ws.errors++; if (examples.length < 10) examples.push('ws: ' + err.message); reject(err); });
    s.on('message', () => ws.messages++);
    s.on('close', (code) => { if (!ending) { ws.errors++; if (examples.length < 10) examples.push('ws closed ' + code); } });
  })));
  emit({ phase: 'start' });
  const until = Date.now() + job.seconds * 1000;
  const stop = () => Date.now() >= until;
  await Promise.all([...Array.from({ length: job.loops }, () => readLoop(stop)), bidLoop(stop)]);
  ending = true;
  for (const s of sockets) s.close(1000);
  const requests = {};
  for (const [kind, s] of Object.entries(stats)) {
    s.lat.sort((a, b) => a - b);
    const q = (p) => Math.round(s.lat[Math.min(s.lat.length - 1, Math.floor(p * s.lat.length))] * 10) / 10;
    requests[kind] = { count: s.lat.length, errors: s.errors, p50_ms: q(0.5), p99_ms: q(0.99) };
  }
  emit({ report: { requests, total, errors: errors + ws.errors, error_examples: examples, ws } });
})().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
`;
