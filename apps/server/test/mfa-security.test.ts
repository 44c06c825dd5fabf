import { afterAll, beforeAll, expect, it } from 'vitest';
import { generate } from 'otplib';
import { bearer, describeEachBackend, registerUser, startTestServer, type TestServer } from './helpers.js';
import { memberWithRole } from './helpers-accounts.js';
import { startSmtp, type TestSmtp } from './platform-smtp.js';

/** A code for the next 30-second step: a code is accepted once per step, so tests do not reuse the current one. */
const codeAt = (secret: string, offsetSteps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

describeEachBackend('account security', (backend) => {
  let server: TestServer;
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startTestServer(backend, { SMTP_URL: smtp.url, LOGIN_RATE_LIMIT_PER_IP: '1000', LOGIN_RATE_LIMIT_PER_EMAIL: '50' });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  const login = (email: string, password: string, mfa_code?: string) =>
    server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password, ...(mfa_code ? { mfa_code } : {}) } });

  it('enrols TOTP, then sign-in asks for the code; recovery codes work once; disabling needs password and code', async () => {
    const u = await registerUser(server.app, { password: 'mfa-user-password' });
    const enroll = await server.app.inject({ method: 'POST', url: '/api/auth/mfa/enroll', headers: bearer(u.access_token) });
    expect(enroll.statusCode).toBe(200);
    const { secret, otpauth_uri } = enroll.json();
    expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\/OptiBid:.*secret=/);
    const svg = Buffer.from(enroll.json().qr_svg_data_url.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString();
    expect(svg).toMatch(/^<svg[^>]*viewBox/);

    const wrong = await server.app.inject({ method: 'POST', url: '/api/auth/mfa/verify', headers: bearer(u.access_token), payload: { code: '000000' } });
    expect(wrong.statusCode).toBe(422);
    const ok = await server.app.inject({ method: 'POST', url: '/api/auth/mfa/verify', headers: bearer(u.access_token), payload: { code: await codeAt(secret) } });
    expect(ok.statusCode).toBe(200);
    const { recovery_codes } = ok.json();
    expect(recovery_codes).toHaveLength(10);

    const noCode = await login(u.user.email, 'mfa-user-password');
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().error.code).toBe('mfa_required');
    const badCode = await login(u.user.email, 'mfa-user-password', '123456');
    expect(badCode.json().error.code).toBe('mfa_invalid');
    const next = await codeAt(secret, 1);
    const withCode = await login(u.user.email, 'mfa-user-password', next);
    expect(withCode.statusCode).toBe(200);
    // The same code (same time step) is not accepted twice.
    expect((await login(u.user.email, 'mfa-user-password', next)).statusCode).toBe(401);

    const viaRecovery = await login(u.user.email, 'mfa-user-password', recovery_codes[0].toUpperCase());
    expect(viaRecovery.statusCode).toBe(200);
    expect((await login(u.user.email, 'mfa-user-password', recovery_codes[0])).statusCode).toBe(401);
    const status = await server.app.inject({ method: 'GET', url: '/api/auth/mfa', headers: bearer(withCode.json().access_token) });
    expect(status.json()).toMatchObject({ enabled: true, recovery_codes_left: 9 });

    const tokens = withCode.json();
    const disableBad = await server.app.inject({ method: 'POST', url: '/api/auth/mfa/disable', headers: bearer(tokens.access_token), payload: { password: 'wrong-password', code: recovery_codes[1] } });
    expect(disableBad.statusCode).toBe(422);
    const disable = await server.app.inject({ method: 'POST', url: '/api/auth/mfa/disable', headers: bearer(tokens.access_token), payload: { password: 'mfa-user-password', code: recovery_codes[1] } });
    expect(disable.statusCode).toBe(200);
    expect((await login(u.user.email, 'mfa-user-password')).statusCode).toBe(200);
    const audit = await server.ctx.repos.audit.list({ organization_id: u.user.organization.id, action: 'auth.mfa_*', limit: 10 });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['auth.mfa_enabled', 'auth.mfa_failed', 'auth.mfa_disabled']));
  });

  it('an organisation that requires MFA lets an unenrolled member do nothing but enrol', async () => {
    const owner = await registerUser(server.app);
    const member = await memberWithRole(server, owner.user.organization.id, 'trader');
    const set = await server.app.inject({ method: 'PATCH', url: '/api/org/settings', headers: bearer(owner.access_token), payload: { require_mfa: true } });
    expect(set.json()).toMatchObject({ require_mfa: true });
    // Tokens issued from now on carry the pending state (at sign-in and refresh).
    const refreshed = (await server.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: member.refresh_token } })).json();
    const blocked = await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(refreshed.access_token) });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('mfa_enrollment_required');
    expect((await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(refreshed.access_token) })).statusCode).toBe(200);

    const { secret } = (await server.app.inject({ method: 'POST', url: '/api/auth/mfa/enroll', headers: bearer(refreshed.access_token) })).json();
    const verified = await server.app.inject({ method: 'POST', url: '/api/auth/mfa/verify', headers: bearer(refreshed.access_token), payload: { code: await codeAt(secret) } });
    expect(verified.statusCode).toBe(200);
    const after = (await server.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: refreshed.refresh_token } })).json();
    expect((await server.app.inject({ method: 'GET', url: '/api/org/members', headers: bearer(after.access_token) })).statusCode).toBe(200);
  });

  it('password reset: emailed single-use token over real SMTP, every session ends, the new password works', async () => {
    const u = await registerUser(server.app, { password: 'old-password-1' });
    const unknown = await server.app.inject({ method: 'POST', url: '/api/auth/password-reset/request', payload: { email: 'nobody-here@example.com' } });
    expect(unknown.statusCode).toBe(202);
    const req = await server.app.inject({ method: 'POST', url: '/api/auth/password-reset/request', payload: { email: u.user.email } });
    expect(req.statusCode).toBe(202);
    const mail = await smtp.next((m) => m.to.includes(u.user.email) && /Reset/.test(m.subject));
    const token = /Reset token: ([\w-]+)/.exec(mail.body)?.[1];
    expect(token).toBeTruthy();
    expect(smtp.messages.some((m) => m.to.includes('nobody-here@example.com'))).toBe(false);

    const short = await server.app.inject({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, new_password: 'short' } });
    expect(short.statusCode).toBe(422);
    const confirm = await server.app.inject({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, new_password: 'new-password-2' } });
    expect(confirm.statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(u.access_token) })).statusCode).toBe(401);
    const reuse = await server.app.inject({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, new_password: 'another-password-3' } });
    expect(reuse.statusCode).toBe(400);
    expect((await login(u.user.email, 'old-password-1')).statusCode).toBe(401);
    expect((await login(u.user.email, 'new-password-2')).statusCode).toBe(200);
  });

  it('lists sessions and revokes one: its tokens stop working at once', async () => {
    const u = await registerUser(server.app, { password: 'session-password' });
    const second = (await login(u.user.email, 'session-password')).json();
    const list = await server.app.inject({ method: 'GET', url: '/api/auth/sessions', headers: bearer(u.access_token) });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; current: boolean }[];
    expect(items).toHaveLength(2);
    expect(items.filter((s) => s.current)).toHaveLength(1);
    const other = items.find((s) => !s.current)!;
    const del = await server.app.inject({ method: 'DELETE', url: `/api/auth/sessions/${other.id}`, headers: bearer(u.access_token) });
    expect(del.statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(second.access_token) })).statusCode).toBe(401);
    expect((await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(u.access_token) })).statusCode).toBe(200);
    const stranger = await registerUser(server.app);
    const cross = await server.app.inject({ method: 'DELETE', url: `/api/auth/sessions/${items.find((s) => s.current)!.id}`, headers: bearer(stranger.access_token) });
    expect(cross.statusCode).toBe(404);
  });
});
