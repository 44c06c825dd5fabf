/** One contract suite for the cache/counter port, against memory and Redis. */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { MemoryCache, RedisCache, type Cache } from '../src/cache/index.js';

const implementations: { name: string; make: () => Cache }[] = [{ name: 'memory', make: () => new MemoryCache() }];
const redisUrl = inject('redisUrl');
if (redisUrl) implementations.push({ name: 'redis', make: () => new RedisCache(redisUrl) });

for (const impl of implementations) {
  describe(`cache contract [${impl.name}]`, () => {
    const opened: Cache[] = [];
    const open = async () => {
      const c = impl.make();
      await c.start();
      opened.push(c);
      return c;
    };
    afterEach(async () => {
      for (const c of opened.splice(0)) await c.close();
    });

    it('counts hits in a fixed window and refuses past the limit', async () => {
      const cache = await open();
      const key = `hits:${Math.random()}`;
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await cache.hit(key, 3, 60));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
      expect(results[3]).toMatchObject({ count: 4, limit: 3 });
      expect(results[3]!.reset_s).toBeGreaterThan(0);
      expect(results[3]!.reset_s).toBeLessThanOrEqual(60);
      expect(await cache.peek(key)).toBe(4);
      await cache.reset(key);
      expect(await cache.peek(key)).toBe(0);
    });

    it('expires a window', async () => {
      const cache = await open();
      const key = `exp:${Math.random()}`;
      await cache.hit(key, 1, 1);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await cache.hit(key, 1, 1)).allowed).toBe(true);
    });

    it('stores values with a time to live', async () => {
      const cache = await open();
      const key = `kv:${Math.random()}`;
      expect(await cache.get(key)).toBeNull();
      await cache.set(key, 'hello', 60);
      expect(await cache.get(key)).toBe('hello');
    });
  });
}

describe('redis cache without Redis', () => {
  it('falls back to memory and reports degraded', async () => {
    const cache = new RedisCache('redis://127.0.0.1:1');
    await cache.start().catch(() => undefined);
    expect((await cache.hit('k', 1, 60)).allowed).toBe(true);
    expect((await cache.hit('k', 1, 60)).allowed).toBe(false);
    expect((await cache.health()).status).toBe('degraded');
    await cache.close();
  });
});
