/**
 * The platform module's services for one ServerContext. Other modules reach
 * them through the small functions in quotas.ts and flags.ts, which take the
 * context; the services are created once per context (by registerPlatform, or
 * on first use from a CLI context that has no HTTP app).
 */
import type { ServerContext } from '../../context.js';
import { createPlatformRepositories, type PlatformRepositories } from '../../db/repositories/platform/index.js';
import { Mailer, type MailLog } from '../../mail/mailer.js';
import { FlagService } from './flag-service.js';
import { QuotaService } from './quota-service.js';

export interface PlatformServices {
  repos: PlatformRepositories;
  mailer: Mailer;
  quotas: QuotaService;
  flags: FlagService;
  log: MailLog & { error(obj: object, msg?: string): void };
}

const byContext = new WeakMap<ServerContext, PlatformServices>();

const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function platformServices(ctx: ServerContext, log?: PlatformServices['log']): PlatformServices {
  let s = byContext.get(ctx);
  if (!s) {
    const repos = createPlatformRepositories(ctx.database);
    const l = log ?? silentLog;
    const mailer = new Mailer(ctx.config, l);
    s = { repos, mailer, quotas: new QuotaService(ctx, repos), flags: new FlagService(repos), log: l };
    byContext.set(ctx, s);
    ctx.onClose(async () => {
      await s!.quotas.flush().catch(() => undefined);
      s!.quotas.stop();
      mailer.close();
      byContext.delete(ctx);
    });
  }
  return s;
}
