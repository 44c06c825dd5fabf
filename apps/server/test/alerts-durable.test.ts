/**
 * The alert evaluator as one durable consumer group across instances: two
 * instances (two createServices + apps) on one database and one bus. A price
 * rule's crossing ticks are spread over both instances and handled at once by
 * them, yet each crossing notifies once (with the crossing state per instance,
 * as before, each instance fired for its own share of a crossing's ticks);
 * ticks published while no evaluator runs are evaluated after a restart, and a
 * tick delivered again notifies nobody twice. Memory bus on PGlite always;
 * Redis and NATS on PostgreSQL when the run has them (there the redelivery is
 * real: the rule's state row is held locked past the bus's ack wait, so the
 * tick is handed out a second time while the first handling still waits).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import Redis from 'ioredis';
import { connect as natsConnect } from 'nats';
import { MemoryBus, NatsBus, RedisBus, STREAMS, type Bus } from '../src/bus/index.js';
import { createServices, type Services } from '../src/services.js';
import { buildApp } from '../src/app.js';
import type { Database } from '../src/db/client.js';
import { backends, bearer, registerUser, testConfig } from './helpers.js';
import { eventually as eventuallyWithin, sleep } from './realtime-client.js';

const redisUrl = inject('redisUrl');
const natsUrl = inject('natsUrl');
const postgres = backends().find((b) => b.name === 'postgres');
const pglite = backends().find((b) => b.name === 'pglite')!;

const eventually = <T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000) => eventuallyWithin(fn, timeoutMs);

type Kind = 'memory' | 'redis' | 'nats';
const cases: { kind: Kind; available: boolean }[] = [
  { kind: 'memory', available: true },
  { kind: 'redis', available: !!redisUrl && !!postgres },
  { kind: 'nats', available: !!natsUrl && !!postgres },
];

interface Instance {
  ctx: Services;
  app: Awaited<ReturnType<typeof buildApp>>;
}

for (const { kind, available } of cases) {
  describe.skipIf(!available)(`alert evaluation shared by two instances [${kind} bus, ${kind === 'memory' ? 'pglite' : 'postgres'}]`, () => {
    const namespace = `al${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    const location = `DURABLE HUB ${namespace.toUpperCase()}`;
    const ackWaitMs = 1500;
    let database: Database;
    const buses: Bus[] = [];
    let a: Instance;
    let b: Instance;
    let user: Awaited<ReturnType<typeof registerUser>>;
    let ruleId: string;
    const alerts: unknown[] = [];
    let minute = 0;
    let stopAlertsSeen = () => undefined as void;

    const newBus = (): Bus =>
      kind === 'redis' ? new RedisBus(redisUrl!, { namespace, ackWaitMs }) : kind === 'nats' ? new NatsBus(natsUrl!, { namespace, ackWaitMs }) : (buses[0] ?? new MemoryBus());

    beforeAll(async () => {
      database = await (kind === 'memory' ? pglite : postgres!).open();
      const instances: Instance[] = [];
      for (let i = 0; i < 2; i++) {
        const bus = newBus();
        if (!buses.includes(bus)) {
          await bus.start();
          buses.push(bus);
        }
        const ctx = await createServices(testConfig(), { database, bus, migrate: i === 0 });
        const app = await buildApp(ctx, { logger: false });
        await app.ready();
        instances.push({ ctx, app });
      }
      [a, b] = instances as [Instance, Instance];
      user = await registerUser(a.app);
      const rule = await b.app.inject({
        method: 'POST',
        url: '/api/alerts/rules',
        headers: bearer(user.access_token),
        payload: { name: 'durable', type: 'price_above', params: { market_zone: 'pjm', location, run: 'RT', threshold_usd_per_mwh: 100 } },
      });
      expect(rule.statusCode).toBe(201);
      ruleId = rule.json().id;
      for (const s of instances) await eventually(async () => s.ctx.platform.alerts.info().rules >= 1);
      stopAlertsSeen = a.ctx.bus.subscribe(`org:${user.user.organization.id}`, (m) => {
        if ((m as { type: string }).type === 'alert') alerts.push(m);
      });
      if (a.ctx.bus instanceof NatsBus) await a.ctx.bus.ready();
      await sleep(200);
    }, 60_000);

    afterAll(async () => {
      stopAlertsSeen();
      for (const s of [a, b]) {
        if (!s) continue;
        await s.app.close();
        await s.ctx.close();
      }
      for (const bus of buses) await bus.close();
      await database?.close();
      if (kind === 'nats') {
        const nc = await natsConnect({ servers: natsUrl! });
        const jsm = await nc.jetstreamManager();
        for (const s of STREAMS) await jsm.streams.delete(`${namespace}_${s.key}`.toUpperCase()).catch(() => undefined);
        await nc.close();
      }
      if (kind === 'redis') {
        const r = new Redis(redisUrl!);
        const keys = await r.keys(`${namespace}:*`);
        if (keys.length) await r.del(...keys);
        r.disconnect();
      }
    }, 60_000);

    /** One tick per 5-minute interval, each later than the one before. */
    const nextTick = (lmp: number) => {
      minute += 5;
      return {
        type: 'price_update' as const,
        market_zone: 'pjm',
        location,
        interval_start: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
        lmp,
        energy: null,
        congestion: null,
        loss: null,
        timestamp: new Date().toISOString(),
      };
    };
    /** Publishes a run of ticks at once (members take them concurrently) and waits until the rule has applied the last. */
    const publishRun = async (lmps: number[], opts: { wait?: boolean } = {}) => {
      const ticks = lmps.map(nextTick);
      await Promise.all(ticks.map((t) => a.ctx.bus.publish('prices:PJM', t)));
      const last = ticks.at(-1)!;
      if (opts.wait !== false) await untilApplied(last);
      return ticks;
    };
    const untilApplied = (tick: { interval_start: string }) =>
      eventually(async () => (await a.ctx.platform.repos.alertStates.find(ruleId))?.applied.RT?.[0] === Date.parse(tick.interval_start));
    const notified = async () =>
      (await a.app.inject({ method: 'GET', url: '/api/notifications?limit=100', headers: bearer(user.access_token) })).json().items as { data: { lmp: number; interval_start: string } }[];
    const settle = async () => {
      await sleep(300);
      for (const s of [a, b]) await s.ctx.platform.alerts.idle();
    };

    it('each crossing notifies once while its ticks are evaluated by both instances at once', async () => {
      const runs = [
        [90, 95],
        [120, 130, 140, 150, 160, 170],
        [80, 70, 60, 50, 40],
        [110, 115, 120, 125, 130, 135],
        [99, 98, 97, 96],
        [101, 102, 103, 104, 105, 106],
        [10, 20, 30],
        [200, 210, 220, 230, 240, 250],
      ];
      for (const run of runs) await publishRun(run);
      await settle();
      const list = await notified();
      expect(list).toHaveLength(4);
      expect(alerts).toHaveLength(4);
      // Each alert is one of its run's ticks above the threshold: never a tick of a run below it.
      for (const n of list) expect(n.data.lmp).toBeGreaterThan(100);
      expect(a.ctx.platform.alerts.info().evaluated.market).toBeGreaterThan(0);
      expect(b.ctx.platform.alerts.info().evaluated.market).toBeGreaterThan(0);
      const state = await a.ctx.platform.repos.alertStates.find(ruleId);
      expect(state?.state).toEqual({ kind: 'price', in_condition: true });
    });

    it('ticks published while no evaluator runs are evaluated after a restart, and a tick delivered again notifies nobody twice', async () => {
      const before = (await notified()).length;
      await publishRun([50, 60]);
      await Promise.all([a, b].map((s) => s.ctx.platform.alerts.stop()));
      const missed = await publishRun([70, 150, 160], { wait: false });
      await sleep(500);
      expect(await notified()).toHaveLength(before);
      await a.ctx.platform.alerts.start();
      await untilApplied(missed.at(-1)!);
      await b.ctx.platform.alerts.start();
      await settle();
      const afterReplay = await notified();
      expect(afterReplay).toHaveLength(before + 1);
      expect(afterReplay[0]!.data.lmp).toBe(150);

      // The ticks handled again, as a redelivery is: already applied, so nothing changes. Had the
      // below-threshold 70 been applied again, the next tick above would count as a new crossing.
      for (const tick of missed) {
        await a.ctx.platform.alerts.onPrices(tick, { channel: 'prices:PJM' });
        await b.ctx.platform.alerts.onPrices(tick, { channel: 'prices:PJM' });
      }
      await a.ctx.platform.alerts.onPrices(missed[0], { channel: 'prices:PJM' });
      await publishRun([170]);
      await settle();
      expect(await notified()).toHaveLength(before + 1);
      expect(alerts).toHaveLength(before + 1);
    });

    it.skipIf(kind === 'memory')('a crossing tick the bus hands out again while its first handling waits notifies once', async () => {
      const before = (await notified()).length;
      const redeliveries = () => a.ctx.platform.alerts.info().redeliveries + b.ctx.platform.alerts.info().redeliveries;
      const redeliveredBefore = redeliveries();
      await publishRun([40]);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      // Hold the rule's state row, as a slow transaction of another instance would.
      const holder = database.transaction(async (tx) => {
        await tx.query('SELECT rule_id FROM alert_rule_states WHERE rule_id = $1 FOR UPDATE', [ruleId]);
        locked();
        await held;
      });
      await isLocked;
      // Only a takes the ticks first, so that b is free to be handed them again: a member busy with
      // a handling claims nothing, and with one tick each both would wait on the row until it is released.
      await b.ctx.platform.alerts.stop();
      try {
        const [, crossing] = await publishRun([30, 180], { wait: false });
        await sleep(ackWaitMs);
        await b.ctx.platform.alerts.start();
        // Past the ack wait the bus hands the ticks a holds out again (to b, or queued behind a's first handling).
        await sleep(ackWaitMs * 1.5);
        // A Redis member claims between its reads; on NATS the redelivery may wait behind the first
        // handling, so this wait is bounded, not asserted (it is asserted after the release).
        await eventually(async () => redeliveries() > redeliveredBefore, kind === 'redis' ? 30_000 : 10_000).catch(() => undefined);
        expect(await notified()).toHaveLength(before);
        release();
        await holder;
        await untilApplied(crossing!);
        await eventually(async () => redeliveries() > redeliveredBefore);
      } finally {
        release();
        await holder.catch(() => undefined);
      }
      await settle();
      // Still the same crossing: had a redelivered 30 been applied after 180, this would notify again.
      await publishRun([190]);
      await settle();
      const list = await notified();
      expect(list).toHaveLength(before + 1);
      expect(list[0]!.data.lmp).toBe(180);
      expect(alerts).toHaveLength(before + 1);
    }, 60_000);

    it("organisation events are evaluated once across instances, for that organisation's rules only", async () => {
      const other = await registerUser(b.app);
      for (const u of [user, other]) {
        const r = await a.app.inject({ method: 'POST', url: '/api/alerts/rules', headers: bearer(u.access_token), payload: { name: 'rejected', type: 'bid_rejected', params: {} } });
        expect(r.statusCode).toBe(201);
      }
      for (const s of [a, b]) await eventually(async () => s.ctx.platform.alerts.info().rules >= 3);
      const before = (await notified()).length;
      const org = user.user.organization.id;
      const bidIds = ['21111111-1111-4111-8111-111111111111', '31111111-1111-4111-8111-111111111111', '41111111-1111-4111-8111-111111111111'];
      const event = (bid_id: string) => ({ type: 'bid_status' as const, bid_id, status: 'rejected', previous_status: 'submitted', asset_id: bid_id, market: 'PJM', delivery_date: '2026-01-02', version: 1, message: 'over the cap', timestamp: new Date().toISOString() });
      // Each bid's rejection twice (a publisher retrying): one notification per bid.
      await Promise.all(bidIds.flatMap((id) => [a.ctx.bus.publish(`org:${org}`, event(id)), b.ctx.bus.publish(`org:${org}`, event(id))]));
      await eventually(async () => (await notified()).length === before + bidIds.length);
      await settle();
      expect(await notified()).toHaveLength(before + bidIds.length);
      const others = (await a.app.inject({ method: 'GET', url: '/api/notifications', headers: bearer(other.access_token) })).json();
      expect(others.items).toHaveLength(0);
    });

    it('a notification whose instance died between storing and sending it is sent once by a sweep on another instance', async () => {
      const stored = await a.ctx.platform.repos.alerts.insertNotification({
        organization_id: user.user.organization.id,
        user_id: user.user.id,
        rule_id: ruleId,
        occurrence_key: `${ruleId}:orphan:${namespace}`,
        category: 'price_above',
        severity: 'warning',
        title: 'stored, never sent',
        message: 'its instance was killed after the commit',
        data: { market_zone: 'pjm' },
      });
      expect(stored?.sent_at).toBeNull();
      const seen = () => alerts.filter((m) => (m as { notification_id?: string }).notification_id === stored!.id);
      // Younger than the sweep's delay: its own sender may still be at it.
      expect(await b.ctx.platform.alerts.sendUnsent()).toBe(0);
      expect(await b.ctx.platform.alerts.sendUnsent(0)).toBe(1);
      expect(await a.ctx.platform.alerts.sendUnsent(0)).toBe(0);
      await eventually(async () => seen().length === 1);
      await settle();
      expect(seen()).toHaveLength(1);
    });
  });
}
