/**
 * Fuzzes every operation in /openapi.json (see fuzz-cases.ts) as a platform
 * admin who owns organisation A, then tries every organisation-scoped route
 * that takes an id with organisation B's token and each of A's ids. Fails on
 * any 5xx, any 4xx off the error shape, and any 2xx on another organisation's
 * resource. Seeded: the same cases every run. FUZZ_CASES_PER_ROUTE and
 * FUZZ_SEED change the budget and the draw.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers.js';
import { casesFor, knownIds, operationsOf, baselineOf, urlOf, uuidsIn, type FuzzRequest, type Operation } from './fuzz-cases.js';
import { createBattery, createDaBid, openErcotDay, STORAGE_CURVE } from './trading-fixtures.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const CASES_PER_ROUTE = Number(process.env.FUZZ_CASES_PER_ROUTE ?? 40);
/**
 * Access levels whose resources are not an organisation's: public routes, platform admins and the
 * shared market. Routes open to anyone signed in (sessions, notifications) are tried too: theirs are the caller's own.
 */
const NOT_ORG_SCOPED = new Set(['public', 'platform_admin', 'market:read']);
/** Operations that end the caller's own session; they run last so the rest keep a live token. */
const SESSION_ENDING = /\/logout$|\/leave$|\/sessions\/\{id\}$/;

interface Finding {
  route: string;
  label: string;
  status: number;
  body: string;
}

function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** What is wrong with a response, or null. */
export function problemOf(status: number, body: string): string | null {
  if (status >= 500) return 'server error';
  if (status < 400) return null;
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown; request_id?: unknown } }).error;
    if (e && typeof e.code === 'string' && typeof e.message === 'string' && typeof e.request_id === 'string') return null;
  } catch {
    // fall through
  }
  return 'error off the standard shape';
}

describeEachBackend('fuzz: every route in /openapi.json', (backend) => {
  let server: TestServer;
  let ops: Operation[];
  let tokenA: () => Promise<string>;
  let tokenB: string;
  let foreignIds: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(backend);
    const { app, ctx } = server;
    const { user, organization_id: orgA } = await ctx.auth.createAccount({
      email: uniqueEmail('fuzz-admin'),
      password: 'fuzz-admin-password',
      name: 'Fuzz Admin',
      organization_name: 'Org A',
      role: 'owner',
      is_platform_admin: true,
    });
    const meta = { ip: '127.0.0.1', user_agent: 'fuzz' };
    // A fresh session per route: a route that ends its own session must not blind the rest.
    tokenA = async () => (await ctx.auth.issueSession(user, orgA, meta)).access_token;
    const b = await registerUser(app);
    tokenB = b.access_token;
    for (const org of [orgA, b.user.organization.id]) {
      await ctx.database.query(`INSERT INTO subscriptions (organization_id, plan_id) VALUES ($1, 'enterprise') ON CONFLICT (organization_id) DO UPDATE SET plan_id = 'enterprise'`, [org]);
    }

    // Organisation A gets one of the things its members make, so ids exist to try from B.
    const a = await tokenA();
    const asset = await createBattery(server, a);
    const day = openErcotDay();
    await createDaBid(server, a, asset.id, day.date, day.hours, STORAGE_CURVE);
    const setup = [
      { url: '/api/alerts/rules', payload: { name: 'r', type: 'bid_rejected', params: {} } },
      { url: '/api/org/api-keys', payload: { name: 'k', scopes: ['read'] } },
      { url: '/api/org/invitations', payload: { email: uniqueEmail('invitee'), role: 'viewer' } },
      { url: '/api/models', payload: { name: 'm', market: 'ercot', location: 'HB_HOUSTON', model_type: 'naive' } },
    ];
    for (const s of setup) {
      const res = await app.inject({ method: 'POST', url: s.url, headers: bearer(a), payload: s.payload });
      if (res.statusCode !== 201) throw new Error(`fuzz set-up ${s.url}: ${res.statusCode} ${res.body}`);
    }

    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    ops = operationsOf(doc).sort((x, y) => Number(SESSION_ENDING.test(x.path)) - Number(SESSION_ENDING.test(y.path)) || x.path.localeCompare(y.path));

    // Ids A can see and B cannot: every GET without parameters, read as both.
    knownIds.clear();
    const seenA = new Set<string>([orgA, user.id]);
    const seenB = new Set<string>();
    for (const op of ops.filter((o) => o.method === 'GET' && o.pathParams.length === 0 && !o.queryParams.some((q) => q.required))) {
      const ra = await app.inject({ method: 'GET', url: op.path, headers: bearer(a) });
      const rb = await app.inject({ method: 'GET', url: op.path, headers: bearer(tokenB) });
      if (ra.statusCode === 200) uuidsIn(ra.json(), seenA, '', knownIds);
      if (rb.statusCode === 200) uuidsIn(rb.json(), seenB);
    }
    foreignIds = [...seenA].filter((id) => !seenB.has(id)).sort();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers every hostile request with a 4xx in the standard shape, never a 5xx', async () => {
    const started = Date.now();
    const findings: Finding[] = [];
    let sent = 0;
    for (const op of ops) {
      const auth = bearer(await tokenA());
      const ids = op.pathParams.length ? foreignIds.slice(0, 1) : [];
      for (const c of casesFor(op, ids, SEED ^ hashOf(`${op.method} ${op.path}`), CASES_PER_ROUTE)) {
        const res = await send(c, auth);
        sent++;
        const problem = problemOf(res.status, res.body);
        if (problem) findings.push({ route: `${op.method} ${op.path}`, label: `${problem}: ${c.label}`, status: res.status, body: res.body.slice(0, 200) });
      }
    }
    if (process.env.FUZZ_DUMP) (await import('node:fs')).writeFileSync(`${process.env.FUZZ_DUMP}.${backend.name}.json`, JSON.stringify(findings, null, 1));
    console.info(`fuzz [${backend.name}]: ${ops.length} operations, ${sent} requests, ${findings.length} findings, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(findings, report(findings)).toEqual([]);
  });

  it("never answers 2xx to one organisation on another organisation's resource", async () => {
    expect(foreignIds.length).toBeGreaterThan(5);
    const findings: Finding[] = [];
    const scoped = ops.filter((o) => !NOT_ORG_SCOPED.has(o.access) && o.pathParams.some((p) => p.schema.format === 'uuid'));
    expect(scoped.length).toBeGreaterThan(10);
    for (const op of scoped) {
      const base = baselineOf(op, []);
      for (const id of foreignIds) {
        const path = Object.fromEntries(op.pathParams.map((p) => [p.name, p.schema.format === 'uuid' ? id : base.path[p.name]!]));
        const c: FuzzRequest = { method: op.method, url: urlOf(op, path, base.query), payload: op.body ? JSON.stringify(base.body) : undefined, contentType: op.body ? 'application/json' : undefined, label: `B on A's ${id}` };
        const res = await send(c, bearer(tokenB));
        const problem = res.status < 300 ? "2xx on another organisation's resource" : problemOf(res.status, res.body);
        if (problem) findings.push({ route: `${op.method} ${op.path}`, label: `${problem}: ${c.label}`, status: res.status, body: res.body.slice(0, 200) });
      }
    }
    console.info(`fuzz [${backend.name}]: ${scoped.length} organisation-scoped operations × ${foreignIds.length} of another organisation's ids`);
    expect(findings, report(findings)).toEqual([]);
  });

  async function send(c: FuzzRequest, auth: Record<string, string>): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = { ...auth };
    if (c.contentType) headers['content-type'] = c.contentType;
    const res = await server.app.inject({ method: c.method as 'GET', url: c.url, headers, ...(c.payload !== undefined ? { payload: c.payload } : {}) });
    return { status: res.statusCode, body: res.body };
  }
});

function report(findings: Finding[]): string {
  return findings.slice(0, 40).map((f) => `${f.status} ${f.route} [${f.label}] ${f.body}`).join('\n');
}
