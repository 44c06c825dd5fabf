import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, startTestServer, type TestServer } from './helpers.js';
import { memberWithRole } from './helpers-accounts.js';
import { connect, listen, ofType, eventually as eventuallyWithin, sleep, type TestClient } from './realtime-client.js';
import { startSmtp, type TestSmtp } from './platform-smtp.js';

const eventually = <T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 4000) => eventuallyWithin(fn, timeoutMs);

describeEachBackend('alerts and notifications', (backend) => {
  let server: TestServer;
  let smtp: TestSmtp;
  let base: string;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startTestServer(backend, { SMTP_URL: smtp.url });
    base = await listen(server);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.close();
    await smtp?.close();
  });

  const settle = async () => {
    await sleep(20);
    await server.ctx.platform.alerts.idle();
  };
  const tick = (lmp: number, minute: number) =>
    server.ctx.bus.publish('prices:PJM', {
      type: 'price_update',
      market_zone: 'pjm',
      location: 'WEST HUB',
      interval_start: new Date(Date.UTC(2024, 5, 3, 14, minute)).toISOString(),
      lmp,
      energy: null,
      congestion: null,
      loss: null,
      timestamp: new Date().toISOString(),
    });
  const notifications = async (token: string) => (await server.app.inject({ method: 'GET', url: '/api/notifications', headers: bearer(token) })).json();

  it('a price rule fires once per crossing: over WebSocket to the user, in the list, and by email to the SMTP server', async () => {
    const u = await registerUser(server.app);
    const colleague = await memberWithRole(server, u.user.organization.id, 'viewer');
    const bad = await server.app.inject({ method: 'POST', url: '/api/alerts/rules', headers: bearer(u.access_token), payload: { name: 'x', type: 'price_above', params: { threshold_usd_per_mwh: 1 } } });
    expect(bad.statusCode).toBe(422);
    const rule = await server.app.inject({
      method: 'POST',
      url: '/api/alerts/rules',
      headers: bearer(u.access_token),
      payload: { name: 'West Hub spike', type: 'price_above', params: { market_zone: 'pjm', location: 'WEST HUB', run: 'RT', threshold_usd_per_mwh: 100 }, email: true },
    });
    expect(rule.statusCode).toBe(201);

    const ws = connect(`${base}/api/ws/ws/market/pjm?token=${u.access_token}`);
    clients.push(ws);
    await ws.next(ofType('connection_established'));
    await sleep(50);

    for (const [lmp, minute] of [[90, 0], [120, 5], [150, 10], [180, 15]] as const) await tick(lmp, minute);
    const alert = await ws.next(ofType('alert'));
    expect(alert).toMatchObject({ type: 'alert', user_id: u.user.id, category: 'price_above', severity: 'warning', market_zone: 'pjm' });
    expect(alert.message).toMatch(/120\.00 \$\/MWh/);
    await settle();
    expect(ws.messages.filter(ofType('alert'))).toHaveLength(1);

    const mail = await smtp.next((m) => m.to.includes(u.user.email));
    expect(mail.subject).toMatch(/\[OptiBid alert\] WEST HUB price above 100\.00/);
    const list = await notifications(u.access_token);
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ category: 'price_above', read: false });
    expect(list.items[0].emailed_at).not.toBeNull();
    expect(list.unread_count).toBe(1);
    expect((await notifications(colleague.access_token)).items).toHaveLength(0);

    // Back below, then above again: a second occurrence.
    await tick(80, 20);
    await tick(101, 25);
    await eventually(async () => (await notifications(u.access_token)).items.length === 2);
    await settle();
    expect(smtp.messages.filter((m) => m.to.includes(u.user.email))).toHaveLength(2);

    const read = await server.app.inject({ method: 'POST', url: '/api/notifications/read', headers: bearer(u.access_token), payload: { ids: [list.items[0].id] } });
    expect(read.json()).toEqual({ updated: 1, unread_count: 1 });
    const all = await server.app.inject({ method: 'POST', url: '/api/notifications/read', headers: bearer(u.access_token), payload: { all: true } });
    expect(all.json()).toEqual({ updated: 1, unread_count: 0 });
    expect((await server.app.inject({ method: 'GET', url: '/api/notifications?unread=true', headers: bearer(u.access_token) })).json().items).toHaveLength(0);
  });

  it('bid, award and forecast-error rules fire from organisation events, once per occurrence, only for that organisation', async () => {
    const u = await registerUser(server.app);
    const other = await registerUser(server.app);
    const org = u.user.organization.id;
    for (const [type, params] of [
      ['bid_rejected', {}],
      ['award_received', {}],
      ['forecast_error_above', { threshold_usd_per_mwh: 10 }],
    ] as const) {
      const r = await server.app.inject({ method: 'POST', url: '/api/alerts/rules', headers: bearer(u.access_token), payload: { name: type, type, params } });
      expect(r.statusCode).toBe(201);
    }
    await server.app.inject({ method: 'POST', url: '/api/alerts/rules', headers: bearer(other.access_token), payload: { name: 'other', type: 'bid_rejected', params: {} } });
    await settle();

    const bidId = '11111111-1111-4111-8111-111111111111';
    const rejected = { type: 'bid_status', bid_id: bidId, status: 'rejected', previous_status: 'submitted', asset_id: bidId, market: 'PJM', delivery_date: '2024-06-04', version: 1, message: 'price above the cap', timestamp: new Date().toISOString() };
    await server.ctx.bus.publish(`org:${org}`, { ...rejected, status: 'submitted' });
    await server.ctx.bus.publish(`org:${org}`, rejected);
    await server.ctx.bus.publish(`org:${org}`, rejected);
    await server.ctx.bus.publish(`org:${org}`, { type: 'award', bid_id: bidId, asset_id: bidId, market: 'PJM', location: 'WEST HUB', run: 'DA', delivery_date: '2024-06-04', mode: 'auction', awards: [], total_mwh: 12.5, timestamp: new Date().toISOString() });
    await server.ctx.bus.publish(`org:${org}`, { type: 'forecast_error', market_zone: 'pjm', location: 'WEST HUB', model: 'lear', delivery_date: '2024-06-04', error_usd_per_mwh: 4, metric: 'mae' });
    await server.ctx.bus.publish(`org:${org}`, { type: 'forecast_error', market_zone: 'pjm', location: 'WEST HUB', model: 'lear', delivery_date: '2024-06-05', error_usd_per_mwh: 14, metric: 'mae' });
    await settle();
    const items = (await notifications(u.access_token)).items as { category: string; message: string }[];
    expect(items.map((n) => n.category).sort()).toEqual(['award_received', 'bid_rejected', 'forecast_error_above']);
    expect(items.find((n) => n.category === 'bid_rejected')!.message).toMatch(/price above the cap/);
    expect((await notifications(other.access_token)).items).toHaveLength(0);
  });

  it('warns before the gate closes while a bid is still a draft (a timer per bid, not a polling loop)', async () => {
    const u = await registerUser(server.app);
    const org = u.user.organization.id;
    await server.app.inject({ method: 'POST', url: '/api/alerts/rules', headers: bearer(u.access_token), payload: { name: 'gate', type: 'gate_closure_drafts', params: { minutes_before: 30 } } });
    await settle();
    const [asset] = await server.ctx.database.query<{ id: string }>(
      `INSERT INTO assets (organization_id, name, type, market, location, params) VALUES ($1, 'B1', 'battery', 'PJM', 'WEST HUB', '{}'::jsonb) RETURNING id`,
      [org],
    );
    const insertBid = async (gate: Date, status: string) =>
      (
        await server.ctx.database.query<{ id: string }>(
          `INSERT INTO bids (organization_id, asset_id, market, location, run, side, delivery_date, curves, status, gate_closure)
           VALUES ($1, $2, 'PJM', 'WEST HUB', 'DA', 'supply', '2030-01-01', '[]'::jsonb, $3, $4) RETURNING id`,
          [org, asset!.id, status, gate],
        )
      )[0]!.id;
    const soon = await insertBid(new Date(Date.now() + 10 * 60_000), 'draft');
    const later = await insertBid(new Date(Date.now() + 5 * 3600_000), 'draft');
    for (const id of [soon, later]) {
      await server.ctx.bus.publish(`org:${org}`, { type: 'bid_status', bid_id: id, status: 'draft', previous_status: null, asset_id: asset!.id, market: 'PJM', delivery_date: '2030-01-01', version: 1, timestamp: new Date().toISOString() });
    }
    const items = await eventually(async () => {
      const list = (await notifications(u.access_token)).items as { category: string; data: { bid_id: string } }[];
      return list.length ? list : null;
    });
    await settle();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ category: 'gate_closure_drafts', data: { bid_id: soon } });
    expect(server.ctx.platform.alerts.info().gate_timers).toBeGreaterThanOrEqual(1);
  });
});
