/** The accounts and sessions repositories, with the same assertions on every database backend. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { createRepositories, type Repositories } from '../src/db/repositories/index.js';
import type { Database } from '../src/db/client.js';
import { describeEachBackend, uniqueEmail } from './helpers.js';

describeEachBackend('accounts repository contract', (backend) => {
  let db: Database;
  let repos: Repositories;
  beforeAll(async () => {
    db = await backend.open();
    const first = await migrate(db);
    expect(first.applied.length).toBeGreaterThan(0);
    // Migrating again applies nothing.
    expect((await migrate(db)).applied).toEqual([]);
    repos = createRepositories(db);
  });
  afterAll(async () => db?.close());

  it('finds users by email case-insensitively and enforces uniqueness', async () => {
    const email = uniqueEmail('Case');
    const u = await repos.accounts.createUser({ email, name: 'C', password_hash: 'h' });
    expect((await repos.accounts.findUserByEmail(email.toUpperCase()))?.id).toBe(u.id);
    await expect(repos.accounts.createUser({ email: email.toLowerCase(), name: 'D', password_hash: 'h' })).rejects.toThrow();
  });

  it('scopes memberships by organisation', async () => {
    const a = await repos.accounts.createOrganization('A');
    const b = await repos.accounts.createOrganization('B');
    const u = await repos.accounts.createUser({ email: uniqueEmail(), name: 'U', password_hash: 'h' });
    await repos.accounts.addMembership(a.id, u.id, 'trader');
    expect((await repos.accounts.findMembership(a.id, u.id))?.role).toBe('trader');
    expect(await repos.accounts.findMembership(b.id, u.id)).toBeNull();
    expect((await repos.accounts.listMembers(b.id)).length).toBe(0);
    const members = await repos.accounts.listMembers(a.id);
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ user_id: u.id, role: 'trader', active: true });
    expect(members[0]!.joined_at).toBeInstanceOf(Date);
    expect(typeof (await repos.accounts.countOrganizations())).toBe('number');
  });

  it('rotates a refresh token once and revokes a family', async () => {
    const org = await repos.accounts.createOrganization('S');
    const u = await repos.accounts.createUser({ email: uniqueEmail(), name: 'S', password_hash: 'h' });
    const family = crypto.randomUUID();
    const t = await repos.sessions.insert({ family_id: family, user_id: u.id, organization_id: org.id, token_hash: `hash-${Math.random()}`, expires_at: new Date(Date.now() + 60_000) });
    expect(await repos.sessions.isFamilyLive(family, u.id, org.id, new Date())).toBe(true);
    // A session is live only for the user and organisation it belongs to.
    expect(await repos.sessions.isFamilyLive(family, crypto.randomUUID(), org.id, new Date())).toBe(false);
    expect(await repos.sessions.isFamilyLive(family, u.id, crypto.randomUUID(), new Date())).toBe(false);
    expect(await repos.sessions.markRotated(t.id, new Date())).toBe(true);
    expect(await repos.sessions.markRotated(t.id, new Date())).toBe(false);
    expect(await repos.sessions.revokeFamily(family, new Date())).toBe(1);
    expect(await repos.sessions.isFamilyLive(family, u.id, org.id, new Date())).toBe(false);
  });
});
