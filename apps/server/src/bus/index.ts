import { MemoryBus } from './memory-bus.js';
import { NatsBus } from './nats-bus.js';
import { RedisBus } from './redis-bus.js';
import type { Bus } from './types.js';

export * from './types.js';
export { MemoryBus } from './memory-bus.js';
export { NatsBus } from './nats-bus.js';
export { RedisBus } from './redis-bus.js';
export { STREAMS } from './streams.js';

/** BUS_URL (NATS) first, else Redis when REDIS_URL is set, else in-process. */
export function createBus(redisUrl: string | null, busUrl: string | null = null, namespace = 'optibid'): Bus {
  if (busUrl) return new NatsBus(busUrl, { namespace });
  // The namespace keeps the event-log keys, and so the shared consumer groups (`alerts-market` …), of deployments sharing one Redis apart.
  return redisUrl ? new RedisBus(redisUrl, { namespace }) : new MemoryBus();
}
