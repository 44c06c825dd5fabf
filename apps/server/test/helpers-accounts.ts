import type { Role } from '@optibid/core';
import type { TestServer } from './helpers.js';
import { uniqueEmail } from './helpers.js';

/** Adds a member with a role to an organisation and signs them in. */
export async function memberWithRole(server: TestServer, organizationId: string, role: Role) {
  const email = uniqueEmail(role);
  const password = 'member-password-1';
  await server.ctx.auth.createAccount({ email, password, name: `A ${role}`, organization_id: organizationId, role });
  const res = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
  return res.json() as { access_token: string; refresh_token: string; user: { id: string } };
}

/** A platform admin (owner of an organisation of their own), signed in; returns the access token. */
export async function platformAdminToken(server: TestServer): Promise<string> {
  const email = uniqueEmail('platform');
  const password = 'platform-password-1';
  await server.ctx.auth.createAccount({ email, password, name: 'Platform', organization_name: 'Operator', role: 'owner', is_platform_admin: true });
  const res = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
  return res.json().access_token as string;
}
