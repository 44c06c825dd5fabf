import type { ServerContext } from '../../context.js';
import type { App } from '../../http/types.js';

/** Organisation administration, account security, plans and quotas, flags, alerts, admin console (filled by the platform module). */
export async function registerPlatform(_app: App, _ctx: ServerContext): Promise<void> {}
