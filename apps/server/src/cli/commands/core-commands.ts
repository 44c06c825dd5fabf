/** serve, migrate, seed-demo, create-admin. */
import { isRole } from '@optibid/core';
import { ConfigError, loadConfig } from '../../config/index.js';
import { createServices } from '../../services.js';
import { seedDemo } from '../../demo/seed.js';
import { demoSeedSteps } from '../../demo/steps.js';
import { handleSignals, startServer } from '../../server.js';
import { CliUsageError, formatOptions, parseArgs, type CliCommand, type OptionSpec } from '../args.js';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Start the server (web app, API, WebSocket, /docs, /health) on PORT (default 8000)',
  usage: 'optibid serve\n\nConfiguration comes from the environment (see the README).',
  async run(argv) {
    parseArgs(argv, {});
    const server = await startServer(loadConfig());
    handleSignals(server);
    const c = server.ctx.config;
    server.app.log.info(
      { url: server.url, database: server.ctx.database.backend, redis: c.redisUrl ? 'on' : 'off', demo: c.demoMode },
      `OptiBid listening on ${server.url}${c.demoMode ? ' (demo mode: admin@optibid.io / admin123)' : ''}`,
    );
    return new Promise<number>(() => undefined); // runs until a signal stops it
  },
};

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'Apply database migrations',
  usage: 'optibid migrate',
  async run(argv) {
    parseArgs(argv, {});
    const ctx = await createServices(loadConfig(), { migrate: false });
    try {
      const { migrate } = await import('../../db/migrate.js');
      const r = await migrate(ctx.database);
      console.log(JSON.stringify({ backend: ctx.database.backend, applied: r.applied, already_applied: r.already }));
      return 0;
    } finally {
      await ctx.close();
    }
  },
};

export const seedDemoCommand: CliCommand = {
  name: 'seed-demo',
  summary: 'Create the demo organisation, users and history (idempotent)',
  usage: 'optibid seed-demo',
  async run(argv) {
    parseArgs(argv, {});
    const ctx = await createServices(loadConfig());
    try {
      const report = await seedDemo(ctx, demoSeedSteps());
      console.log(JSON.stringify(report, null, 2));
      return 0;
    } finally {
      await ctx.close();
    }
  },
};

const createAdminSpec: Record<string, OptionSpec> = {
  email: { type: 'string', required: true, description: 'e-mail of the new administrator' },
  password: { type: 'string', required: true, description: 'password (at least 8 characters)' },
  organization: { type: 'string', required: true, description: 'organisation name (created if it does not exist)' },
  name: { type: 'string', description: 'display name', default: 'Administrator' },
  role: { type: 'string', description: 'role in the organisation', default: 'owner' },
  'platform-admin': { type: 'boolean', description: 'also make the user a platform administrator' },
};

export const createAdminCommand: CliCommand = {
  name: 'create-admin',
  summary: 'Create an organisation administrator',
  usage: `optibid create-admin --email <email> --password <password> --organization <name>\n\n${formatOptions(createAdminSpec)}`,
  async run(argv) {
    const { options } = parseArgs(argv, createAdminSpec);
    const role = String(options.role);
    if (!isRole(role)) throw new CliUsageError(`--role must be one of owner, admin, trader, analyst, viewer`);
    const email = String(options.email);
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new CliUsageError(`--email "${email}" is not an e-mail address`);
    const ctx = await createServices(loadConfig());
    try {
      if (await ctx.repos.accounts.findUserByEmail(email)) {
        console.error(`optibid: a user with email ${email} already exists`);
        return 1;
      }
      const orgName = String(options.organization);
      const org = (await ctx.repos.accounts.findOrganizationByName(orgName)) ?? (await ctx.repos.accounts.createOrganization(orgName));
      const { user } = await ctx.auth.createAccount({
        email,
        password: String(options.password),
        name: String(options.name),
        organization_id: org.id,
        role,
        is_platform_admin: options['platform-admin'] === true,
      });
      console.log(JSON.stringify({ user_id: user.id, email: user.email, organization_id: org.id, organization: org.name, role }));
      return 0;
    } finally {
      await ctx.close();
    }
  },
};

export { ConfigError };
