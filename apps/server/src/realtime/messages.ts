/**
 * Building and checking the messages of the real-time contract
 * (packages/contracts/src/realtime.ts). Zones on the wire are the lower-case ISO
 * ids; bus channels use the upper-case IsoId (`prices:PJM`).
 */
import { randomUUID } from 'node:crypto';
import { ISO_IDS, parseIsoId, type IsoId } from '@optibid/core';
import type { PriceUpdateMessage, WsAlertMessage, WsAlertSeverity } from '@optibid/contracts';

export const PRICE_CHANNEL_PREFIX = 'prices:';
export const ORG_CHANNEL_PREFIX = 'org:';
export const ALERT_CHANNEL = 'broadcast:alert';

export const priceChannel = (iso: IsoId) => `${PRICE_CHANNEL_PREFIX}${iso}` as const;
export const orgChannel = (organizationId: string) => `${ORG_CHANNEL_PREFIX}${organizationId}` as const;
export const zoneOf = (iso: IsoId) => iso.toLowerCase();

/** `pjm`, `PJM`, `isone`, `ISO-NE` → the IsoId; anything else → undefined. */
export function isoOfZone(zone: string): IsoId | undefined {
  return parseIsoId(zone);
}

export const ALL_ZONES_TEXT = ISO_IDS.map(zoneOf).join(', ');

/** Start of the RT interval containing `nowMs` (UTC-aligned; every ISO's 5-minute grid is aligned to the hour). */
export function intervalStartOf(nowMs: number, minutes = 5): Date {
  const step = minutes * 60_000;
  return new Date(Math.floor(nowMs / step) * step);
}

export interface PriceTick {
  location: string;
  interval_start: Date | string;
  lmp: number;
  energy?: number | null;
  congestion?: number | null;
  loss?: number | null;
}

export function priceUpdateMessage(iso: IsoId, tick: PriceTick, now = new Date()): PriceUpdateMessage {
  return {
    type: 'price_update',
    market_zone: zoneOf(iso),
    location: tick.location,
    interval_start: typeof tick.interval_start === 'string' ? tick.interval_start : tick.interval_start.toISOString(),
    lmp: tick.lmp,
    energy: tick.energy ?? null,
    congestion: tick.congestion ?? null,
    loss: tick.loss ?? null,
    timestamp: now.toISOString(),
  };
}

const nullableNumber = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));

/**
 * What goes to clients is exactly the contract's fields, whatever else a
 * publisher put on the bus; a malformed payload is dropped (null).
 */
export function sanitizePriceUpdate(raw: unknown, iso: IsoId): PriceUpdateMessage | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  if (typeof m.location !== 'string' || typeof m.interval_start !== 'string' || typeof m.lmp !== 'number' || !Number.isFinite(m.lmp)) return null;
  const energy = m.energy ?? null;
  const congestion = m.congestion ?? null;
  const loss = m.loss ?? null;
  if (!nullableNumber(energy) || !nullableNumber(congestion) || !nullableNumber(loss)) return null;
  return {
    type: 'price_update',
    market_zone: zoneOf(iso),
    location: m.location,
    interval_start: m.interval_start,
    lmp: m.lmp,
    energy,
    congestion,
    loss,
    timestamp: typeof m.timestamp === 'string' ? m.timestamp : new Date().toISOString(),
  };
}

export function alertMessage(input: {
  title: string;
  message: string;
  severity?: WsAlertSeverity;
  iso?: IsoId | null;
  category: string;
  now?: Date;
}): WsAlertMessage {
  return {
    type: 'alert',
    alert_id: randomUUID(),
    severity: input.severity ?? 'info',
    title: input.title,
    message: input.message,
    market_zone: input.iso ? zoneOf(input.iso) : null,
    category: input.category,
    timestamp: (input.now ?? new Date()).toISOString(),
  };
}

export type ParsedClientMessage =
  | { kind: 'ping' }
  | { kind: 'auth'; token: string }
  | { kind: 'subscribe' | 'unsubscribe'; zones: IsoId[] }
  | { kind: 'error'; message: string };

const MAX_ZONES = 20;
const USAGE = 'expected {"type":"ping"}, {"type":"auth","token":"..."} or {"action":"subscribe"|"unsubscribe","zones":["pjm",...]}';

/** Parses one client frame; every problem becomes a message for the client, never an exception. */
export function parseClientMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): ParsedClientMessage {
  if (isBinary) return { kind: 'error', message: `binary frames are not accepted: ${USAGE}` };
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { kind: 'error', message: `message is not valid JSON: ${USAGE}` };
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return { kind: 'error', message: `message must be a JSON object: ${USAGE}` };
  const m = msg as Record<string, unknown>;
  if (m.type === 'ping') return { kind: 'ping' };
  if (m.type === 'auth') {
    if (typeof m.token !== 'string' || !m.token.trim()) return { kind: 'error', message: 'auth: "token" must be a non-empty string' };
    return { kind: 'auth', token: m.token.trim() };
  }
  if (m.action === 'subscribe' || m.action === 'unsubscribe') {
    if (!Array.isArray(m.zones) || m.zones.length === 0 || m.zones.length > MAX_ZONES || !m.zones.every((z) => typeof z === 'string')) {
      return { kind: 'error', message: `${m.action}: "zones" must be a non-empty array of zone names (${ALL_ZONES_TEXT} or "all")` };
    }
    const zones = new Set<IsoId>();
    const unknown: string[] = [];
    for (const z of m.zones as string[]) {
      if (z.trim().toLowerCase() === 'all' || z.trim() === '*') ISO_IDS.forEach((i) => zones.add(i));
      else {
        const iso = isoOfZone(z);
        if (iso) zones.add(iso);
        else unknown.push(z);
      }
    }
    if (unknown.length) return { kind: 'error', message: `${m.action}: unknown zone(s) ${unknown.map((z) => JSON.stringify(z.slice(0, 40))).join(', ')}; known: ${ALL_ZONES_TEXT}` };
    return { kind: m.action, zones: [...zones] };
  }
  return { kind: 'error', message: `unknown message: ${USAGE}` };
}
