import type { ServerContext } from '../context.js';
import type { App } from '../http/types.js';

/** WebSocket endpoints and their bus subscriptions (filled by the realtime module). */
export async function registerRealtime(_app: App, _ctx: ServerContext): Promise<void> {}
