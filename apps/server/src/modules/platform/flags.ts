/** What other modules call to put behaviour behind a feature flag. */
import type { ServerContext } from '../../context.js';
import { platformServices } from './services.js';

/** Whether a feature flag is on for an organisation (override, then global switch and stable rollout). Unknown flags are off. */
export async function isFeatureEnabled(ctx: ServerContext, organizationId: string, key: string): Promise<boolean> {
  return (await platformServices(ctx).flags.evaluate(organizationId, key)).enabled;
}
