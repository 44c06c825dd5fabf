import { MemoryBus } from './memory-bus.js';
import { RedisBus } from './redis-bus.js';
import type { Bus } from './types.js';

export * from './types.js';
export { MemoryBus } from './memory-bus.js';
export { RedisBus } from './redis-bus.js';

export function createBus(redisUrl: string | null): Bus {
  return redisUrl ? new RedisBus(redisUrl) : new MemoryBus();
}
