/** The lint rule that keeps apps/server's layers (`scripts/eslint/server-boundaries.js`), on imports it must allow and refuse. */
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import rule from '../../../scripts/eslint/server-boundaries.js';

RuleTester.describe = describe;
RuleTester.it = it;

const SRC = '/repo/apps/server/src';
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' } });

tester.run('server-boundaries', rule, {
  valid: [
    // a module through another module's index
    { filename: `${SRC}/modules/org/member-service.ts`, code: "import { x } from '../trading/index.js';" },
    // inside one module, across its sub-folders
    { filename: `${SRC}/modules/trading/bids/bid-service.ts`, code: "import { x } from '../common.js';" },
    // infrastructure among itself, and modules down into it
    { filename: `${SRC}/http/auth-hook.ts`, code: "import { x } from '../db/client.js';" },
    { filename: `${SRC}/modules/auth/auth-service.ts`, code: "import { x } from '../../db/repositories/accounts.js';" },
    // the composition root wires modules
    { filename: `${SRC}/app.ts`, code: "import { x } from './modules/auth/auth-routes.js';" },
    // packages are not layers
    { filename: `${SRC}/http/types.ts`, code: "import { x } from '@optibid/contracts';" },
    // a service reads repositories; a non-route file of a module may import db/
    { filename: `${SRC}/modules/platform/admin-service.ts`, code: "import type { PlatformRepositories } from '../../db/repositories/platform/index.js';" },
    // routes import services, http and their own module
    { filename: `${SRC}/modules/platform/admin-routes.ts`, code: "import type { AdminService } from './admin-service.js';" },
    // the outer programs: a module's index, a repository's row type, the composition root, the database client
    { filename: `${SRC}/jobs/forecast.ts`, code: "import { loadPriceBook } from '../modules/forecasting/index.js';" },
    { filename: `${SRC}/jobs/feed.ts`, code: "import type { PricePoint } from '../db/repositories/prices.js';" },
    { filename: `${SRC}/jobs/feed.ts`, code: "import { type PricePoint } from '../db/repositories/prices.js';" },
    { filename: `${SRC}/cli/commands/serve.ts`, code: "import { createServices } from '../../services.js';" },
    { filename: `${SRC}/bench/websocket.ts`, code: "import { openDatabase } from '../db/client.js';" },
    { filename: `${SRC}/demo/seed.ts`, code: "import type { TradingRepositories } from '../modules/trading/index.js';" },
    // files outside apps/server are not checked
    { filename: '/repo/apps/web/lib/api.ts', code: "import { x } from '../modules/auth/auth-context.js';" },
  ],
  invalid: [
    { filename: `${SRC}/context.ts`, code: "import { x } from './modules/auth/auth-service.js';", errors: [{ messageId: 'infraImportsModule' }] },
    { filename: `${SRC}/http/types.ts`, code: "import type { X } from '../modules/auth/auth-context.js';", errors: [{ messageId: 'infraImportsModule' }] },
    { filename: `${SRC}/realtime/hub.ts`, code: "import { x } from '../modules/trading/index.js';", errors: [{ messageId: 'infraImportsModule' }] },
    { filename: `${SRC}/db/repositories/audit.ts`, code: "export * from '../../modules/platform/flags.js';", errors: [{ messageId: 'infraImportsModule' }] },
    { filename: `${SRC}/modules/org/api-key-service.ts`, code: "import { hash } from '../auth/crypto.js';", errors: [{ messageId: 'moduleInternals' }] },
    { filename: `${SRC}/modules/trading/bids/bid-service.ts`, code: "import { q } from '../../platform/quota-service.js';", errors: [{ messageId: 'moduleInternals' }] },
    { filename: `${SRC}/modules/platform/index.ts`, code: "export { x } from '../org/member-service.js';", errors: [{ messageId: 'moduleInternals' }] },
    { filename: `${SRC}/modules/optimization/index.ts`, code: "const m = await import('../trading/common.js');", errors: [{ messageId: 'moduleInternals' }] },
    // routes never reach the database, not even for a type
    { filename: `${SRC}/modules/org/org-routes.ts`, code: "import type { AuditWithActorRow } from '../../db/repositories/platform/index.js';", errors: [{ messageId: 'routeImportsDb' }] },
    { filename: `${SRC}/modules/trading/bids/bid-routes.ts`, code: "import { x } from '../../../db/client.js';", errors: [{ messageId: 'routeImportsDb' }] },
    // the outer programs take their services from services.ts
    { filename: `${SRC}/jobs/clearing.ts`, code: "import { ClearingService } from '../modules/trading/clearing/clearing-service.js';", errors: [{ messageId: 'outerImportsInternals' }] },
    { filename: `${SRC}/demo/seed.ts`, code: "import type { X } from '../modules/org/member-service.js';", errors: [{ messageId: 'outerImportsInternals' }] },
    { filename: `${SRC}/cli/commands/import.ts`, code: "import { PricesRepository } from '../../db/repositories/prices.js';", errors: [{ messageId: 'outerBuildsServices' }, { messageId: 'outerImportsRepository' }] },
    { filename: `${SRC}/bench/trading.ts`, code: "import { createTradingRepositories } from '../db/repositories/trading/index.js';", errors: [{ messageId: 'outerBuildsServices' }, { messageId: 'outerImportsRepository' }] },
    { filename: `${SRC}/jobs/clearing.ts`, code: "import { tradingServicesOn } from '../modules/trading/index.js';", errors: [{ messageId: 'outerBuildsServices' }] },
    { filename: `${SRC}/demo/steps.ts`, code: "export { AccountsRepository } from '../db/repositories/accounts.js';", errors: [{ messageId: 'outerImportsRepository' }] },
  ],
});
