/**
 * REST side of the real-time module: /api/ws/health, /api/ws/stats, the admin
 * broadcasts, and the /simulate endpoints (open in demo mode, admin otherwise).
 * Everything is published on the bus, so every instance's clients receive it.
 */
import { randomInt } from 'node:crypto';
import { createPriceSimulator, findLocation, getMarket, ISO_IDS, listMarkets, simulationSeedOf, type IsoId, type PriceSimulator } from '@optibid/core';
import {
  BroadcastAlertBody,
  BroadcastPriceBody,
  errorResponses,
  SimulatedUpdatesBody,
  SimulateMarketEventsBody,
  SimulatePriceUpdateBody,
  WsHealthBody,
  WsPublishedBody,
  WsStatsBody,
  type MarketEventKind,
  type PriceUpdateMessage,
  type WsAlertMessage,
} from '@optibid/contracts';
import type { ServerContext } from '../context.js';
import { badRequest } from '../http/errors.js';
import type { App } from '../http/types.js';
import type { RealtimeHub } from './hub.js';
import { loadSeriesProfile } from './series-profile.js';
import { ALERT_CHANNEL, ALL_ZONES_TEXT, alertMessage, intervalStartOf, isoOfZone, orgChannel, priceChannel, priceUpdateMessage } from './messages.js';

function zoneOrThrow(zone: string, field = 'market_zone'): IsoId {
  const iso = isoOfZone(zone);
  if (!iso) throw badRequest(`${field}: unknown zone ${JSON.stringify(zone)}; known: ${ALL_ZONES_TEXT}`, [{ field, message: 'is not a known zone' }]);
  return iso;
}

/** A catalogue location is written with its canonical id; an unknown node name is passed through as given. */
function locationFor(iso: IsoId, location: string | undefined): string {
  if (!location) return getMarket(iso).default_location;
  return findLocation(iso, location)?.id ?? location;
}

export function realtimeRoutes(app: App, ctx: ServerContext, hub: RealtimeHub): void {
  app.get('/api/ws/health', {
    config: { access: 'public' },
    schema: { tags: ['realtime'], summary: 'WebSocket service health', response: { 200: WsHealthBody } },
    handler: async () => ({
      status: 'ok' as const,
      connections: hub.connectionCount,
      storage_backend: hub.backend,
      timestamp: new Date().toISOString(),
    }),
  });

  app.get('/api/ws/stats', {
    config: { access: 'public' },
    schema: { tags: ['realtime'], summary: 'Connections by zone and message counters of this instance', response: { 200: WsStatsBody } },
    handler: async () => hub.stats(),
  });

  app.post('/api/ws/broadcast/price', {
    config: { access: 'platform_admin' },
    schema: {
      tags: ['realtime'],
      summary: 'Publish a price update to every subscriber of a zone (platform admin)',
      body: BroadcastPriceBody,
      response: { 200: WsPublishedBody, ...errorResponses },
    },
    handler: async (req) => {
      const b = req.body;
      const iso = zoneOrThrow(b.market_zone);
      const msg = priceUpdateMessage(iso, {
        location: locationFor(iso, b.location),
        interval_start: b.interval_start ? new Date(b.interval_start) : intervalStartOf(Date.now()),
        lmp: b.lmp,
        energy: b.energy,
        congestion: b.congestion,
        loss: b.loss,
      });
      const channel = priceChannel(iso);
      await ctx.bus.publish(channel, msg);
      return { published: 1, channel, message: msg };
    },
  });

  app.post('/api/ws/broadcast/alert', {
    config: { access: 'platform_admin' },
    schema: {
      tags: ['realtime'],
      summary: 'Send an alert to every socket, or to one organisation (platform admin)',
      body: BroadcastAlertBody,
      response: { 200: WsPublishedBody, ...errorResponses },
    },
    handler: async (req) => {
      const b = req.body;
      const iso = b.market_zone ? zoneOrThrow(b.market_zone) : null;
      const msg = alertMessage({ title: b.title, message: b.message, severity: b.severity, iso, category: 'broadcast' });
      const channel = b.organization_id ? orgChannel(b.organization_id) : ALERT_CHANNEL;
      await ctx.bus.publish(channel, msg);
      return { published: 1, channel, message: msg };
    },
  });

  simulateRoutes(app, ctx);
}

function simulateRoutes(app: App, ctx: ServerContext): void {
  // In demo mode anyone may drive the demo; elsewhere it would let users fake market data.
  const access = ctx.config.demoMode ? ('public' as const) : ('platform_admin' as const);
  const simulators = new Map<string, Promise<PriceSimulator>>();
  const simulatorFor = (iso: IsoId, location: string) => {
    const key = `${iso}|${location}`;
    let sim = simulators.get(key);
    if (!sim) {
      sim = loadSeriesProfile(ctx.repos.prices, getMarket(iso), location).then((profile) => createPriceSimulator(profile, { seed: simulationSeedOf(key) ^ randomInt(2 ** 31) }));
      sim.catch(() => simulators.delete(key));
      simulators.set(key, sim);
    }
    return sim;
  };
  // Empty POSTs are fine here: every field is optional.
  const emptyBodyIsObject = async (req: { body: unknown }) => {
    req.body ??= {};
  };

  app.post('/simulate/price-update', {
    config: { access },
    preValidation: emptyBodyIsObject,
    schema: {
      tags: ['realtime'],
      summary: 'Publish one simulated price update per zone (or for one zone/location)',
      body: SimulatePriceUpdateBody,
      response: { 200: SimulatedUpdatesBody, ...errorResponses },
    },
    handler: async (req) => {
      const b = req.body;
      const isos = b.market_zone ? [zoneOrThrow(b.market_zone)] : [...ISO_IDS];
      if (b.location && isos.length !== 1) throw badRequest('location: give market_zone too', [{ field: 'location', message: 'needs market_zone' }]);
      for (const iso of b.lmp === undefined ? [] : isos) {
        const limits = getMarket(iso).offer_limits;
        if (b.lmp! < limits.floor_usd_per_mwh || b.lmp! > limits.hard_cap_usd_per_mwh) {
          throw badRequest(`lmp: ${b.lmp} is outside ${iso}'s offer limits [${limits.floor_usd_per_mwh}, ${limits.hard_cap_usd_per_mwh}]`, [{ field: 'lmp', message: 'is out of range' }]);
        }
      }
      const updates: PriceUpdateMessage[] = [];
      const now = Date.now();
      for (const iso of isos) {
        const location = locationFor(iso, b.location);
        const p = (await simulatorFor(iso, location)).next(now);
        const tick =
          b.lmp !== undefined
            ? { location, interval_start: intervalStartOf(now), lmp: b.lmp }
            : { location, interval_start: intervalStartOf(now), lmp: p.lmp_usd_per_mwh, energy: p.energy_usd_per_mwh, congestion: p.congestion_usd_per_mwh, loss: p.loss_usd_per_mwh };
        updates.push(priceUpdateMessage(iso, tick, new Date(now)));
      }
      await Promise.all(updates.map((u) => ctx.bus.publish(priceChannel(isoOfZone(u.market_zone)!), u)));
      return { published: updates.length, updates, alerts: [] };
    },
  });

  app.post('/simulate/market-events', {
    config: { access },
    preValidation: emptyBodyIsObject,
    schema: {
      tags: ['realtime'],
      summary: 'Publish simulated market events: price spikes, negative prices, congestion; each a price update plus an alert',
      body: SimulateMarketEventsBody,
      response: { 200: SimulatedUpdatesBody, ...errorResponses },
    },
    handler: async (req) => {
      const b = req.body;
      const isos = b.market_zone ? [zoneOrThrow(b.market_zone)] : listMarkets().map((m) => m.iso);
      const kinds: MarketEventKind[] = b.kinds ?? ['price_spike', 'negative_price', 'congestion'];
      const count = b.events ?? 3;
      const updates: PriceUpdateMessage[] = [];
      const alerts: WsAlertMessage[] = [];
      const now = Date.now();
      for (let i = 0; i < count; i++) {
        const iso = isos[randomInt(isos.length)]!;
        const kind = kinds[randomInt(kinds.length)]!;
        const location = getMarket(iso).default_location;
        const sim = await simulatorFor(iso, location);
        const limits = getMarket(iso).offer_limits;
        if (kind === 'price_spike') sim.trigger('spike');
        if (kind === 'negative_price') sim.trigger('negative');
        const p = sim.next(now);
        let { lmp_usd_per_mwh: lmp, congestion_usd_per_mwh: congestion } = p;
        if (kind === 'congestion') {
          // A binding constraint adds a congestion component of 20–120 $/MWh at this location.
          const add = 20 + randomInt(100);
          lmp = Math.min(limits.hard_cap_usd_per_mwh, lmp + add);
          congestion = congestion === null ? null : Math.round((congestion + (lmp - p.lmp_usd_per_mwh)) * 100) / 100;
        }
        const update = priceUpdateMessage(
          iso,
          { location, interval_start: intervalStartOf(now), lmp, energy: p.energy_usd_per_mwh, congestion, loss: p.loss_usd_per_mwh },
          new Date(now),
        );
        const text = `${location}: ${lmp.toFixed(2)} $/MWh`;
        const alert = alertMessage({
          iso,
          category: 'market_event',
          severity: kind === 'congestion' ? 'info' : 'warning',
          title: kind === 'price_spike' ? `Price spike in ${iso}` : kind === 'negative_price' ? `Negative price in ${iso}` : `Congestion in ${iso}`,
          message: text,
        });
        updates.push(update);
        alerts.push(alert);
        await ctx.bus.publish(priceChannel(iso), update);
        await ctx.bus.publish(ALERT_CHANNEL, alert);
      }
      return { published: updates.length + alerts.length, updates, alerts };
    },
  });
}
