/**
 * The client side, run in a worker thread: raw TCP sockets that do the WebSocket handshake and
 * then read only what the measurement needs (frame headers, and in a price update the `lmp`
 * carrying the tick's sequence number). Full `ws` clients (frame parser, UTF-8 decoding,
 * JSON.parse of every message) cost the two shared cores more than the server's fan-out did.
 * A delivery's time is when the data event that completes its frame arrives. Pings are answered
 * (masked pongs), so the server's heartbeat keeps the sockets. Plain JavaScript evaluated in the
 * worker, so it runs the same from the compiled dist and under tsx.
 */
export const WS_CLIENT_SOURCE = `
const net = require('node:net');
const { parentPort, workerData: job } = require('node:worker_threads');
const wallNow = () => performance.timeOrigin + performance.now();
const recv = new Float64Array(job.clients * job.ticks);
const PRICE = Buffer.from('{"type":"price_update"');
const LMP = Buffer.from('"lmp":');
const ESTABLISHED = Buffer.from('"type":"connection_established"');
const REQUEST = 'GET ' + job.path + ' HTTP/1.1\\r\\nHost: ' + job.host + ':' + job.port +
  '\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n';
let received = 0;
const sockets = [];

/** The non-negative integer written at buf[i..] (the sequence number), or -1. */
function intAt(buf, i, end) {
  let n = 0, digits = 0;
  for (; i < end; i++, digits++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return digits > 0 ? n : -1;
}

function connect(c) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(job.port, job.host);
    socket.setNoDelay(true);
    sockets.push(socket);
    let upgraded = false;
    let rest = null;
    const onFrame = (op, buf, from, to, now) => {
      if (op === 0x9) {
        // A pong echoes the ping's payload, masked (a client must mask) with a zero key.
        const n = to - from;
        const pong = Buffer.allocUnsafe(6 + n);
        pong[0] = 0x8a; pong[1] = 0x80 | n; pong.writeUInt32BE(0, 2);
        buf.copy(pong, 6, from, to);
        socket.write(pong);
        return;
      }
      if (op !== 0x1) return;
      if (buf.subarray(from, from + PRICE.length).equals(PRICE)) {
        const at = buf.indexOf(LMP, from);
        const seq = at >= 0 && at < to ? intAt(buf, at + LMP.length, to) : -1;
        if (seq >= 0 && seq < job.ticks) {
          const i = c * job.ticks + seq;
          if (recv[i] === 0) received++;
          recv[i] = now;
        }
      } else if (buf.indexOf(ESTABLISHED, from) >= 0) resolve();
    };
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      const now = wallNow();
      let buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      let off = 0;
      if (!upgraded) {
        const end = buf.indexOf('\\r\\n\\r\\n');
        if (end < 0) { rest = buf; return; }
        if (!buf.subarray(0, 12).toString().endsWith(' 101')) return reject(new Error('handshake refused: ' + buf.subarray(0, end).toString()));
        upgraded = true;
        off = end + 4;
      }
      for (;;) {
        const left = buf.length - off;
        if (left < 2) break;
        let len = buf[off + 1] & 0x7f;
        let head = 2;
        if (len === 126) { if (left < 4) break; len = buf.readUInt16BE(off + 2); head = 4; }
        else if (len === 127) { if (left < 10) break; len = buf.readUInt32BE(off + 6); head = 10; }
        if (left < head + len) break;
        onFrame(buf[off] & 0x0f, buf, off + head, off + head + len, now);
        off += head + len;
      }
      rest = off < buf.length ? buf.subarray(off) : null;
    });
    socket.write(REQUEST);
  });
}

const t0 = wallNow();
Promise.all(Array.from({ length: job.clients }, (_, c) => connect(c))).then(() => {
  // This thread's kernel id (Linux), so the bench can pin it to a core of its own.
  let tid = null;
  try { tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()); } catch {}
  parentPort.postMessage({ kind: 'ready', connect_ms: wallNow() - t0, tid });
  parentPort.on('message', (cmd) => {
    if (cmd === 'count') parentPort.postMessage({ kind: 'received', count: received });
    if (cmd === 'results') {
      parentPort.postMessage({ kind: 'results', recv });
      for (const s of sockets) s.destroy();
    }
  });
}, (err) => { throw err; });
`;
