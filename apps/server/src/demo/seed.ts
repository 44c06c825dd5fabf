/**
 * The demo organisation and its users. Idempotent: a second run changes nothing.
 * Later modules add demo history and assets through `seedDemo`'s steps.
 */
import type { Services } from '../services.js';
import { DEMO_ACCOUNTS, DEMO_ORGANIZATION } from './accounts.js';

export interface SeedReport {
  organization_id: string;
  created_users: string[];
  steps: Record<string, unknown>;
}

export type SeedStep = (ctx: Services, organizationId: string) => Promise<unknown>;

export async function seedDemo(ctx: Services, extraSteps: Record<string, SeedStep> = {}): Promise<SeedReport> {
  const { accounts } = ctx.repos;
  let org = await accounts.findOrganizationByName(DEMO_ORGANIZATION);
  org ??= await accounts.createOrganization(DEMO_ORGANIZATION, { is_demo: true });
  const created: string[] = [];
  for (const a of DEMO_ACCOUNTS) {
    const existing = await accounts.findUserByEmail(a.email);
    if (existing) {
      if (!(await accounts.findMembership(org.id, existing.id))) await accounts.addMembership(org.id, existing.id, a.role);
      continue;
    }
    await ctx.auth.createAccount({ ...a, organization_id: org.id });
    created.push(a.email);
  }
  const steps: Record<string, unknown> = {};
  for (const [name, step] of Object.entries(extraSteps)) steps[name] = await step(ctx, org.id);
  return { organization_id: org.id, created_users: created, steps };
}
