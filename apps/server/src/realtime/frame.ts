/**
 * Pre-framed fan-out: a message is framed once and the same bytes written to every socket
 * (see RealtimeHub.fanOut).
 */
import type { WebSocket } from 'ws';

/** An unmasked, final, uncompressed text frame (RFC 6455 §5.2) holding `payload`: what a server sends. */
export function textFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x81;
  if (n < 126) frame[1] = n;
  else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  payload.copy(frame, head);
  return frame;
}

/** The parts of a `ws` socket the direct write reads (ws 8's own fields; checked, not assumed). */
interface WsInternals {
  _socket?: { writable: boolean; write(chunk: Buffer): boolean };
  _sender?: { _state?: number; _queue?: unknown[]; _firstFragment?: boolean };
}

/**
 * Writes a finished frame straight to the socket when ws's sender is idle (nothing queued behind
 * a compression or a blob, no fragmented message open), so frames keep their order; false when
 * it is not, and the caller sends through ws instead.
 */
export function writeFrame(ws: WebSocket, frame: Buffer): boolean {
  const w = ws as unknown as WsInternals;
  const socket = w._socket;
  const sender = w._sender;
  if (!socket?.writable || !sender || sender._state !== 0 || (sender._queue?.length ?? 1) !== 0 || sender._firstFragment !== true) return false;
  socket.write(frame);
  return true;
}
