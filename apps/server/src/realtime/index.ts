/**
 * The real-time module: the published WebSocket endpoints
 *   /api/ws/ws/market/{zone}   one zone (pjm, caiso, ercot, nyiso, miso, spp, isone; any case)
 *   /api/ws/ws/prices          all zones, with subscribe/unsubscribe actions
 * their hub and bus subscriptions, the /api/ws REST routes and /simulate.
 */
import websocket from '@fastify/websocket';
import { Type } from 'typebox';
import { WS_CLOSE } from '@optibid/contracts';
import type { ServerContext } from '../context.js';
import type { App } from '../http/types.js';
import type { AuthContext } from '../http/auth-context.js';
import type { RealtimeHub } from './hub.js';
import { ALL_ZONES_TEXT, isoOfZone } from './messages.js';
import { realtimeRoutes } from './routes.js';
import { startSession } from './session.js';

export { RealtimeHub, type HubOptions } from './hub.js';
export { SessionEnds, SESSIONS_ENDED_CHANNEL, type SessionEndSelector } from './session-ends.js';

const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 4096 })) });

/**
 * The WebSocket endpoints on the composition root's hub; `authenticate` turns a
 * token into the caller (the auth module's, handed in so realtime does not import modules).
 */
export async function registerRealtime(app: App, ctx: ServerContext, hub: RealtimeHub, authenticate: (token: string) => Promise<AuthContext>): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 64 * 1024, perMessageDeflate: false } });
  await hub.start();
  app.addHook('onClose', async () => hub.close());

  ctx.health.register('websocket', async () => ({ status: 'ok', backend: hub.backend, connections: hub.connectionCount }));

  const deps = {
    hub,
    authenticate,
    publicMarketData: ctx.config.publicMarketData,
  };

  app.get(
    '/api/ws/ws/market/:zone',
    {
      websocket: true,
      // The socket decides for itself: anonymous when market data is public, otherwise a token (see session.ts).
      config: { access: 'public' },
      schema: { params: Type.Object({ zone: Type.String({ maxLength: 100 }) }), querystring: TokenQuery },
    },
    (socket, req) => {
      const { zone } = req.params as { zone: string };
      const iso = isoOfZone(zone);
      if (!iso) {
        socket.close(WS_CLOSE.unknownZone, `unknown market zone ${JSON.stringify(zone.slice(0, 30))}; known: ${ALL_ZONES_TEXT}`.slice(0, 120));
        return;
      }
      startSession(deps, { ws: socket, endpoint: 'market', iso, auth: req.auth, queryToken: (req.query as { token?: string }).token ?? null });
    },
  );

  app.get(
    '/api/ws/ws/prices',
    { websocket: true, config: { access: 'public' }, schema: { querystring: TokenQuery } },
    (socket, req) => {
      startSession(deps, { ws: socket, endpoint: 'prices', iso: null, auth: req.auth, queryToken: (req.query as { token?: string }).token ?? null });
    },
  );

  realtimeRoutes(app, ctx, hub);
}
