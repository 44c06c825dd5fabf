import type { ServerContext } from '../../context.js';
import type { App } from '../../http/types.js';

/** Assets, bids, clearing, settlement and P&L routes (filled by the trading module). */
export async function registerTrading(_app: App, _ctx: ServerContext): Promise<void> {}
