/**
 * Issue 13: an access token's session must be the caller's own (finding 9), and a viewer cannot start
 * forecast computation (finding 16).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TokenSigner } from '../src/modules/auth/crypto.js';
import { bearer, describeEachBackend, registerUser, startTestServer, type TestServer } from './helpers.js';
import { memberWithRole } from './helpers-accounts.js';

/** The claims of a JWT we issued (its payload, not verified: the server verifies). */
function claimsOf(token: string): { sub: string; org: string; sid: string } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

describeEachBackend('session binding and forecast permission', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => server?.close());

  it("a token whose sid is a live session of another user (or organisation) is 401", async () => {
    const victim = await registerUser(server.app);
    const attacker = await registerUser(server.app);
    // The server's own signing key, as a leaked development default would give an attacker.
    const signer = new TokenSigner(server.ctx.config.jwtSecret, 900);
    const own = claimsOf(attacker.access_token);
    const v = claimsOf(victim.access_token);
    expect((await server.app.inject({ url: '/api/auth/me', headers: bearer(attacker.access_token) })).statusCode).toBe(200);
    const asVictim = await signer.sign({ sub: v.sub, org: v.org, sid: own.sid });
    const res = await server.app.inject({ url: '/api/auth/me', headers: bearer(asVictim) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthorized');
    // The attacker's own user, pointed at the victim's organisation with the attacker's session: also 401.
    const otherOrg = await signer.sign({ sub: own.sub, org: v.org, sid: own.sid });
    expect((await server.app.inject({ url: '/api/auth/me', headers: bearer(otherOrg) })).statusCode).toBe(401);
    // The same claims as issued still work.
    const same = await signer.sign({ sub: own.sub, org: own.org, sid: own.sid });
    expect((await server.app.inject({ url: '/api/auth/me', headers: bearer(same) })).statusCode).toBe(200);
  });

  it('a viewer cannot start forecast computation; reading forecasts is still allowed', async () => {
    const owner = await registerUser(server.app);
    const viewer = (await memberWithRole(server, owner.user.organization.id, 'viewer')).access_token;
    const body = { market: 'NYISO', location: 'CAPITL', delivery_date: '2026-01-10' };
    const denied = await server.app.inject({ method: 'POST', url: '/api/forecasts', headers: bearer(viewer), payload: body });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toMatch(/forecast:run/);
    expect((await server.app.inject({ url: '/api/forecasts', headers: bearer(viewer) })).statusCode).toBe(200);
    // The owner passes the permission check (no prices stored here, so the answer is a 4xx about data, not 403).
    const allowed = await server.app.inject({ method: 'POST', url: '/api/forecasts', headers: bearer(owner.access_token), payload: body });
    expect(allowed.statusCode).not.toBe(403);
    expect(allowed.statusCode).toBeLessThan(500);
  });
});
