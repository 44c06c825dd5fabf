import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachBackend, registerUser, startTestServer, uniqueEmail, type TestServer } from './helpers.js';
import { memberWithRole } from './helpers-accounts.js';
import { startSmtp, type TestSmtp } from './platform-smtp.js';

describeEachBackend('organisation administration', (backend) => {
  let server: TestServer;
  let mailServer: TestServer;
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startTestServer(backend);
    mailServer = await startTestServer(backend, { SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await server?.close();
    await mailServer?.close();
    await smtp?.close();
  });

  it('invites without SMTP (token returned to the admin), accepts as a new user, and lists the member', async () => {
    const owner = await registerUser(server.app);
    const email = uniqueEmail('invitee');
    const inv = await server.app.inject({ method: 'POST', url: '/api/org/invitations', headers: bearer(owner.access_token), payload: { email, role: 'trader' } });
    expect(inv.statusCode).toBe(201);
    const body = inv.json();
    expect(body).toMatchObject({ email, role: 'trader', status: 'pending', emailed: false });
    expect(body.token).toMatch(/^[\w-]{40,}$/);

    const preview = await server.app.inject({ method: 'GET', url: `/api/org/invitations/preview?token=${body.token}` });
    expect(preview.json()).toMatchObject({ email, role: 'trader', account_exists: false, organization: { id: owner.user.organization.id } });

    const noName = await server.app.inject({ method: 'POST', url: '/api/org/invitations/accept', payload: { token: body.token, password: 'invitee-password' } });
    expect(noName.statusCode).toBe(422);
    const accepted = await server.app.inject({ method: 'POST', url: '/api/org/invitations/accept', payload: { token: body.token, password: 'invitee-password', name: 'New Trader' } });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().user).toMatchObject({ email, role: 'trader', organization: { id: owner.user.organization.id } });
    const again = await server.app.inject({ method: 'POST', url: '/api/org/invitations/accept', payload: { token: body.token, password: 'invitee-password', name: 'X' } });
    expect(again.statusCode).toBe(410);

    const members = await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(owner.access_token) });
    expect(members.json().items.map((m: { email: string }) => m.email)).toContain(email);
    const list = await server.app.inject({ method: 'GET', url: '/api/org/invitations', headers: bearer(owner.access_token) });
    expect(list.json().items[0]).toMatchObject({ email, status: 'accepted' });
    const audit = await server.app.inject({ method: 'GET', url: '/api/org/audit?action=member.*', headers: bearer(owner.access_token) });
    expect(audit.json().items.map((a: { action: string }) => a.action).sort()).toEqual(['member.invited', 'member.joined']);
  });

  it('mails the invitation through SMTP when it is configured, without returning the token', async () => {
    const owner = await registerUser(mailServer.app);
    const email = uniqueEmail('mailed');
    const inv = await mailServer.app.inject({ method: 'POST', url: '/api/org/invitations', headers: bearer(owner.access_token), payload: { email, role: 'viewer' } });
    expect(inv.statusCode).toBe(201);
    expect(inv.json()).toMatchObject({ emailed: true, token: null });
    const mail = await smtp.next((m) => m.to.includes(email));
    expect(mail.subject).toMatch(/invited/);
    const token = /Invitation token: ([\w-]+)/.exec(mail.body)?.[1];
    expect(token).toBeTruthy();
    const accepted = await mailServer.app.inject({ method: 'POST', url: '/api/org/invitations/accept', payload: { token, password: 'viewer-password', name: 'Mailed Viewer' } });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().user.role).toBe('viewer');
  });

  it('role changes respect rank, deactivation ends tokens at once, and the last owner cannot go', async () => {
    const owner = await registerUser(server.app);
    const org = owner.user.organization.id;
    const admin = await memberWithRole(server, org, 'admin');
    const trader = await memberWithRole(server, org, 'trader');

    const makeOwner = await server.app.inject({ method: 'PATCH', url: `/api/org/members/${trader.user.id}`, headers: bearer(admin.access_token), payload: { role: 'owner' } });
    expect(makeOwner.statusCode).toBe(403);
    const touchOwner = await server.app.inject({ method: 'PATCH', url: `/api/org/members/${owner.user.id}`, headers: bearer(admin.access_token), payload: { role: 'viewer' } });
    expect(touchOwner.statusCode).toBe(403);
    const toAnalyst = await server.app.inject({ method: 'PATCH', url: `/api/org/members/${trader.user.id}`, headers: bearer(admin.access_token), payload: { role: 'analyst' } });
    expect(toAnalyst.statusCode).toBe(200);
    const me = await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(trader.access_token) });
    expect(me.json().role).toBe('analyst');

    expect((await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(trader.access_token) })).statusCode).toBe(200);
    const off = await server.app.inject({ method: 'DELETE', url: `/api/org/members/${trader.user.id}`, headers: bearer(admin.access_token) });
    expect(off.statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(trader.access_token) })).statusCode).toBe(401);
    const refresh = await server.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: trader.refresh_token } });
    expect(refresh.statusCode).toBe(401);

    const demoteLast = await server.app.inject({ method: 'PATCH', url: `/api/org/members/${owner.user.id}`, headers: bearer(owner.access_token), payload: { role: 'admin' } });
    expect(demoteLast.statusCode).toBe(409);
    expect(demoteLast.json().error.message).toMatch(/last owner/);
    const leaveLast = await server.app.inject({ method: 'POST', url: '/api/org/leave', headers: bearer(owner.access_token) });
    expect(leaveLast.statusCode).toBe(409);

    const adminLeaves = await server.app.inject({ method: 'POST', url: '/api/org/leave', headers: bearer(admin.access_token) });
    expect(adminLeaves.statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(admin.access_token) })).statusCode).toBe(401);
  });

  it('API keys: shown once, accepted as X-API-Key or Bearer with the role of their scopes, revocable, last use recorded', async () => {
    const owner = await registerUser(server.app);
    const viewer = await memberWithRole(server, owner.user.organization.id, 'viewer');
    expect((await server.app.inject({ method: 'POST', url: '/api/org/api-keys', headers: bearer(viewer.access_token), payload: { name: 'x', scopes: ['read'] } })).statusCode).toBe(403);

    const created = await server.app.inject({ method: 'POST', url: '/api/org/api-keys', headers: bearer(owner.access_token), payload: { name: 'reader', scopes: ['read'] } });
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key.key).toMatch(/^obk_/);
    expect(key).toMatchObject({ role: 'viewer', scopes: ['read'], last_used_at: null });
    expect(key.key.startsWith(key.prefix)).toBe(true);

    const viaHeader = await server.app.inject({ method: 'GET', url: '/api/org/members', headers: { 'x-api-key': key.key } });
    expect(viaHeader.statusCode).toBe(200);
    const viaBearer = await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(key.key) });
    expect(viaBearer.statusCode).toBe(200);
    expect(viaBearer.json()).toMatchObject({ id: owner.user.id, role: 'viewer' });
    // read → viewer: no org management, even though the key's creator is the owner.
    expect((await server.app.inject({ method: 'GET', url: '/api/org/api-keys', headers: { 'x-api-key': key.key } })).statusCode).toBe(403);

    const trade = await server.app.inject({ method: 'POST', url: '/api/org/api-keys', headers: bearer(owner.access_token), payload: { name: 'bot', scopes: ['read', 'trade'] } });
    expect(trade.json().role).toBe('trader');
    const list = await server.app.inject({ method: 'GET', url: '/api/org/api-keys', headers: bearer(owner.access_token) });
    const listed = list.json().items.find((k: { id: string }) => k.id === key.id);
    expect(listed.last_used_at).not.toBeNull();
    expect(JSON.stringify(list.json())).not.toContain(key.key);

    const revoked = await server.app.inject({ method: 'DELETE', url: `/api/org/api-keys/${key.id}`, headers: bearer(owner.access_token) });
    expect(revoked.statusCode).toBe(200);
    const after = await server.app.inject({ method: 'GET', url: '/api/org/members', headers: { 'x-api-key': key.key } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.message).toMatch(/revoked/);
    expect((await server.app.inject({ method: 'GET', url: '/api/org/members', headers: { 'x-api-key': 'obk_not-a-key' } })).statusCode).toBe(401);
    const audit = await server.ctx.repos.audit.list({ organization_id: owner.user.organization.id, action: 'api_key.*', limit: 10 });
    expect(audit.map((a) => a.action).sort()).toEqual(['api_key.created', 'api_key.created', 'api_key.revoked']);
  });

  it('an existing account joins a second organisation with its own password and can sign in to either', async () => {
    const ownerA = await registerUser(server.app);
    const userB = await registerUser(server.app, { password: 'b-user-password' });
    const inv = (await server.app.inject({ method: 'POST', url: '/api/org/invitations', headers: bearer(ownerA.access_token), payload: { email: userB.user.email, role: 'analyst' } })).json();
    expect((await server.app.inject({ method: 'GET', url: `/api/org/invitations/preview?token=${inv.token}` })).json().account_exists).toBe(true);
    const wrong = await server.app.inject({ method: 'POST', url: '/api/org/invitations/accept', payload: { token: inv.token, password: 'not-it-at-all' } });
    expect(wrong.statusCode).toBe(401);
    const ok = await server.app.inject({ method: 'POST', url: '/api/org/invitations/accept', payload: { token: inv.token, password: 'b-user-password' } });
    expect(ok.json().user).toMatchObject({ id: userB.user.id, role: 'analyst', organization: { id: ownerA.user.organization.id } });
    const intoA = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: userB.user.email, password: 'b-user-password', organization_id: ownerA.user.organization.id } });
    expect(intoA.json().user.role).toBe('analyst');
    const settings = await server.app.inject({ method: 'GET', url: '/api/org/settings', headers: bearer(intoA.json().access_token) });
    expect(settings.json()).toMatchObject({ id: ownerA.user.organization.id, require_mfa: false, plan_id: 'free' });
    // A second invitation to someone already active is refused.
    const dup = await server.app.inject({ method: 'POST', url: '/api/org/invitations', headers: bearer(ownerA.access_token), payload: { email: userB.user.email, role: 'viewer' } });
    expect(dup.statusCode).toBe(409);
  });

  it('an API key stops working when its creator is deactivated', async () => {
    const owner = await registerUser(server.app);
    const admin = await memberWithRole(server, owner.user.organization.id, 'admin');
    const key = (await server.app.inject({ method: 'POST', url: '/api/org/api-keys', headers: bearer(admin.access_token), payload: { name: 'k', scopes: ['trade'] } })).json().key;
    expect((await server.app.inject({ method: 'GET', url: '/api/org/members', headers: { 'x-api-key': key } })).statusCode).toBe(200);
    await server.app.inject({ method: 'DELETE', url: `/api/org/members/${admin.user.id}`, headers: bearer(owner.access_token) });
    expect((await server.app.inject({ method: 'GET', url: '/api/org/members', headers: { 'x-api-key': key } })).statusCode).toBe(401);
  });
});
