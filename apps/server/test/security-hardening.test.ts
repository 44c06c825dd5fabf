/**
 * Issue 13, findings 4, 5, 8 and 11: links from configuration not request
 * headers, the login limiter counted before the password check and not
 * bypassed with X-Forwarded-For, Idempotency-Keys bound to their request,
 * and concurrent registrations with one e-mail.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers.js';
import { createBattery, createDaBid, newOrg, openErcotDay, STORAGE_CURVE } from './trading-fixtures.js';
import { startSmtp, type TestSmtp } from './platform-smtp.js';

describeEachBackend('security hardening', (backend) => {
  let server: TestServer;
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startTestServer(backend, {
      SMTP_URL: smtp.url,
      PUBLIC_URL: 'https://optibid.example.com/',
      LOGIN_RATE_LIMIT_PER_IP: '6',
      LOGIN_RATE_LIMIT_PER_EMAIL: '5',
    });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('finding 11: six concurrent registrations with one e-mail give one 201 and five 409, and one organisation', async () => {
    const email = uniqueEmail('race');
    const orgName = `Race ${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () => server.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email, password: 'correct-horse-battery', name: 'R', organization_name: orgName } })),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes, results.map((r) => r.body).join('\n')).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().error).toMatchObject({ code: 'conflict' });
    const orgs = await server.ctx.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM organizations WHERE name = $1`, [orgName]);
    expect(orgs[0]!.n).toBe(1);
  });

  it('finding 4: reset and invitation links use PUBLIC_URL whatever Host or X-Forwarded-Host say', async () => {
    const u = await registerUser(server.app);
    const evil = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    const req = await server.app.inject({ method: 'POST', url: '/api/auth/password-reset/request', headers: evil, payload: { email: u.user.email } });
    expect(req.statusCode).toBe(202);
    const mail = await smtp.next((m) => m.to.includes(u.user.email) && /Reset/.test(m.subject));
    expect(mail.body).toContain('https://optibid.example.com/reset-password?token=');
    expect(mail.body).not.toContain('evil.example');

    const invitee = uniqueEmail('invitee');
    const inv = await server.app.inject({ method: 'POST', url: '/api/org/invitations', headers: { ...bearer(u.access_token), ...evil }, payload: { email: invitee, role: 'viewer' } });
    expect(inv.statusCode, inv.body).toBe(201);
    const invMail = await smtp.next((m) => m.to.includes(invitee));
    expect(invMail.body).toContain('https://optibid.example.com/invite?token=');
    expect(invMail.body).not.toContain('evil.example');
  });

  it('finding 5: concurrent wrong passwords for one e-mail run at most the limit of password checks', async () => {
    const u = await registerUser(server.app);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: `10.1.0.${i}`, payload: { email: u.user.email, password: `wrong-${i}` } }),
      ),
    );
    const checked = results.filter((r) => r.statusCode === 401).length;
    expect(results.filter((r) => r.statusCode === 429).length + checked).toBe(20);
    expect(checked).toBeLessThanOrEqual(5);
    const failed = await server.ctx.repos.audit.list({ organization_id: null, action: 'auth.login_failed', limit: 100 });
    expect(failed.filter((a) => a.target_id === u.user.email.toLowerCase()).length).toBeLessThanOrEqual(5);
  });

  it('finding 5: rotating X-Forwarded-For does not escape the per-IP limit when TRUST_PROXY is off', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await server.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '192.0.2.7',
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
        payload: { email: uniqueEmail('nobody'), password: 'whatever-123' },
      });
      codes.push(r.statusCode);
    }
    expect(codes.slice(0, 6).every((c) => c === 401)).toBe(true);
    expect(codes.slice(6)).toEqual([429, 429]);
  });

  it('finding 8: the same Idempotency-Key with a different body is 422 idempotency_key_reused; the same body replays', async () => {
    const org = await newOrg(server);
    const a1 = await createBattery(server, org.trader, 'one');
    const a2 = await createBattery(server, org.trader, 'two');
    const day = openErcotDay();
    const key = { 'idempotency-key': `k-${Date.now()}` };
    const first = await createDaBid(server, org.trader, a1.id, day.date, day.hours, STORAGE_CURVE, key);
    expect(first.statusCode, first.body).toBe(201);
    const replay = await createDaBid(server, org.trader, a1.id, day.date, day.hours, STORAGE_CURVE, key);
    expect(replay.statusCode).toBe(201);
    expect(replay.json().id).toBe(first.json().id);
    const otherAsset = await createDaBid(server, org.trader, a2.id, day.date, day.hours, STORAGE_CURVE, key);
    expect(otherAsset.statusCode, otherAsset.body).toBe(422);
    expect(otherAsset.json().error.code).toBe('idempotency_key_reused');
    const otherPrices = await createDaBid(server, org.trader, a1.id, day.date, day.hours, [{ mw: -10, price_usd_per_mwh: 21 }, { mw: 10, price_usd_per_mwh: 50 }], key);
    expect(otherPrices.statusCode).toBe(422);
    const bids = await server.app.inject({ method: 'GET', url: '/api/bids', headers: bearer(org.trader) });
    expect(bids.json().items).toHaveLength(1);
  });
});
