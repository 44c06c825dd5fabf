/**
 * The WebSocket bench's baseline, as hello-world is the read path's: a bare `node:net` server
 * with no framework, no bus, no hub, that answers the same handshake and writes the same
 * pre-built frame to each of the same 5,000 loopback clients in one synchronous loop. What it
 * measures is the floor any single Node process reaches on this machine (one `socket.write` per
 * socket, in which the kernel also does the loopback receiver's TCP work), so OptiBid's figure
 * can be read against it rather than against the goal alone.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { textFrame } from '../realtime/frame.js';
import type { Servers } from './websocket.js';

/** RFC 6455 §1.3: the accept key is base64(SHA-1(key + this GUID)). */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export async function bareFanOutServer(): Promise<Servers> {
  const sockets = new Set<net.Socket>();
  const hello = textFrame(Buffer.from(JSON.stringify({ type: 'connection_established', market_zone: 'PJM' })));
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(head.slice(0, end))?.[1];
      if (!key) return socket.destroy();
      const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.write(hello);
      sockets.add(socket);
      // The clients send nothing after the handshake (no pings reach them here); drain whatever comes.
      socket.on('data', () => undefined);
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 8192 }, resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('baseline server has no TCP address');
  return {
    ports: [addr.port],
    label: 'bare node:net server in the bench process (no framework, no bus), the same frame to each socket',
    connections: async () => sockets.size,
    publish: async (message) => {
      const frame = textFrame(Buffer.from(JSON.stringify(message)));
      for (const s of sockets) s.write(frame);
    },
    timesFanOut: true,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
