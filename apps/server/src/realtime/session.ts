/**
 * The protocol of one WebSocket connection: admission (anonymous when market
 * data is public, otherwise a token from `?token=`, the Authorization header or
 * a first `{"type":"auth"}` message within the auth timeout), then client
 * messages (ping, auth, subscribe/unsubscribe). A bad message earns an error
 * message; only a failed or missing authentication, or the end of the socket's
 * session (logout, revocation, role change, removal: see session-ends.ts),
 * closes the socket (4401).
 */
import { randomUUID } from 'node:crypto';
import { ISO_IDS, type IsoId } from '@optibid/core';
import { WS_CLOSE, WS_RESTART_REASON, type ConnectionEstablishedMessage } from '@optibid/contracts';
import type { WebSocket } from 'ws';
import type { AuthContext } from '../http/auth-context.js';
import type { Client, Endpoint, RealtimeHub } from './hub.js';
import { parseClientMessage, zoneOf } from './messages.js';

export interface SessionDeps {
  hub: RealtimeHub;
  authenticate(token: string): Promise<AuthContext>;
  publicMarketData: boolean;
}

export interface SessionStart {
  ws: WebSocket;
  endpoint: Endpoint;
  /** The zone of /market/{zone}; null on /prices (all zones). */
  iso: IsoId | null;
  /** Already resolved by the auth hook from an Authorization header. */
  auth: AuthContext | null;
  queryToken: string | null;
}

type State = 'verifying' | 'awaiting_auth' | 'open' | 'closed';

/** Wires one socket; listeners are attached synchronously so no early frame is lost. */
export function startSession(deps: SessionDeps, start: SessionStart): void {
  const { hub } = deps;
  const { ws } = start;
  const client: Client = {
    id: randomUUID(),
    ws,
    endpoint: start.endpoint,
    zones: new Set(start.iso ? [start.iso] : ISO_IDS),
    auth: null,
    alive: true,
  };
  let state: State = 'verifying';
  const queued: { data: Buffer | ArrayBuffer | Buffer[]; isBinary: boolean }[] = [];
  let authTimer: NodeJS.Timeout | null = null;
  hub.pending.add(ws);

  const reject = (reason: string) => {
    if (state === 'closed') return;
    state = 'closed';
    ws.close(WS_CLOSE.unauthorized, reason.slice(0, 120));
  };

  const admit = (auth: AuthContext | null) => {
    if (state === 'closed' || ws.readyState !== 1) return;
    // This instance is shutting down: send the socket to another one at once.
    if (hub.draining) {
      state = 'closed';
      ws.close(WS_CLOSE.serviceRestart, WS_RESTART_REASON);
      return;
    }
    // Its session ended (anywhere) after the token was checked: the message has come and gone.
    const ended = auth ? hub.endedSince(auth) : null;
    if (ended) return reject(ended);
    if (authTimer) clearTimeout(authTimer);
    state = 'open';
    hub.pending.delete(ws);
    client.auth = auth;
    hub.admit(client);
    const zone = start.iso ? zoneOf(start.iso) : 'all';
    const hello: ConnectionEstablishedMessage = {
      type: 'connection_established',
      connection_id: client.id,
      market_zone: zone,
      storage_backend: hub.backend,
      timestamp: new Date().toISOString(),
      message: `Connected to ${zone} market updates`,
    };
    hub.sendTo(ws, hello);
    for (const q of queued.splice(0)) onMessage(q.data, q.isBinary);
  };

  const onAuthMessage = (token: string) => {
    deps.authenticate(token).then(
      (auth) => {
        if (state === 'awaiting_auth') return admit(auth);
        if (state !== 'open') return;
        const ended = hub.endedSince(auth);
        if (ended) return hub.sendTo(ws, { type: 'error', message: `auth failed: ${ended}` });
        hub.setAuth(client, auth);
        hub.sendTo(ws, { type: 'authenticated', user_id: auth.user_id, organization_id: auth.organization_id, timestamp: new Date().toISOString() });
      },
      (err: Error) => {
        if (state === 'awaiting_auth') return reject(`invalid token: ${err.message}`);
        hub.sendTo(ws, { type: 'error', message: `auth failed: ${err.message}` });
      },
    );
  };

  const onMessage = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    client.alive = true;
    hub.countReceived();
    if (state === 'closed') return;
    if (state === 'verifying') {
      // A ?token= is being checked: keep the frame until we know who this is.
      if (queued.length < 20) queued.push({ data, isBinary });
      return;
    }
    const msg = parseClientMessage(data, isBinary);
    switch (msg.kind) {
      case 'error':
        return hub.sendTo(ws, { type: 'error', message: msg.message });
      case 'ping':
        return hub.sendTo(ws, { type: 'pong', timestamp: new Date().toISOString() });
      case 'auth':
        return onAuthMessage(msg.token);
      case 'subscribe':
      case 'unsubscribe':
        if (state === 'awaiting_auth') return hub.sendTo(ws, { type: 'error', message: 'authenticate first: send {"type":"auth","token":"<access token>"}' });
        if (msg.kind === 'subscribe') hub.subscribe(client, msg.zones);
        else hub.unsubscribe(client, msg.zones);
        return hub.sendTo(ws, { type: 'subscription', zones: ISO_IDS.filter((i) => client.zones.has(i)).map(zoneOf), timestamp: new Date().toISOString() });
    }
  };

  ws.on('message', onMessage);
  ws.on('pong', () => {
    client.alive = true;
  });
  ws.on('close', () => {
    state = 'closed';
    if (authTimer) clearTimeout(authTimer);
    hub.pending.delete(ws);
    hub.remove(client);
  });

  if (start.auth) return admit(start.auth);
  if (start.queryToken) {
    deps.authenticate(start.queryToken).then(admit, (err: Error) => reject(`invalid token: ${err.message}`));
    return;
  }
  if (deps.publicMarketData) return admit(null);
  state = 'awaiting_auth';
  authTimer = setTimeout(() => reject('authentication required: send {"type":"auth","token":"..."} or connect with ?token='), hub.authTimeoutMs);
  authTimer.unref();
  for (const q of queued.splice(0)) onMessage(q.data, q.isBinary);
}
