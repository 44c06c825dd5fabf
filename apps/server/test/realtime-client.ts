/** A small WebSocket test client: collects messages and waits for the one a test expects. */
import WebSocket from 'ws';
import type { TestServer } from './helpers.js';

export interface TestClient {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  /** Resolves with the first message (already received or future) that matches. */
  next(pred?: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  send(data: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export async function listen(server: TestServer): Promise<string> {
  const addr = server.app.server.address();
  if (!addr || typeof addr === 'string') {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    return listen(server);
  }
  return `ws://127.0.0.1:${addr.port}`;
}

export function connect(url: string, opts: WebSocket.ClientOptions = {}): TestClient {
  const ws = new WebSocket(url, opts);
  const messages: Record<string, unknown>[] = [];
  let waiters: { pred: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as Record<string, unknown>;
    messages.push(m);
    waiters = waiters.filter((w) => {
      if (!w.pred(m)) return true;
      w.resolve(m);
      return false;
    });
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', () => undefined);
  });
  return {
    ws,
    messages,
    closed,
    next(pred = () => true, timeoutMs = 3000) {
      const already = messages.find(pred);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages).slice(0, 500)}`)), timeoutMs);
        waiters.push({
          pred,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    send(data) {
      ws.send(typeof data === 'string' ? data : JSON.stringify(data));
    },
    close() {
      ws.close();
    },
  };
}

export const ofType = (type: string) => (m: Record<string, unknown>) => m.type === type;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every 25 ms until it returns something truthy (returned), or throws after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(25);
  }
}
