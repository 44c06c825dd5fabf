/**
 * Browser tests for organisation and account features: an org admin invites a member
 * (token shown: no SMTP in the harness), the invitee accepts on /invite and signs in;
 * a trader creates an alert rule that fires once over the socket into the list;
 * TOTP enrolment with a QR code, then sign-in with the code.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { generate } from 'otplib';
import { DEMO_ADMIN, missingBuild, startHarness, type Harness } from './harness.js';

const missing = missingBuild();
const required = process.env.REQUIRE_INTEGRATION === '1';
if (missing && !required) console.warn(`\n[apps/web e2e] ${missing}\n`);

/** The TOTP code `offsetSteps` 30-second steps from now (the server accepts ±1 step, each step once). */
const codeAt = (secret: string, offsetSteps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

describe.skipIf(missing !== null)('organisation, alerts and account security in Chromium', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  async function signOut(page: Page) {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
  }

  test('an org admin invites a member; the invitee accepts on /invite and signs in', async () => {
    const admin = await h.newPage();
    await h.login(admin, DEMO_ADMIN.email, DEMO_ADMIN.password);
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisation' }).click();
    await admin.waitForURL((u) => u.pathname === '/organization');
    await admin.getByRole('button', { name: /Deactivate trader@optibid.io/ }).waitFor();
    await h.screenshot(admin, 'platform-org-members');
    await admin.getByRole('tab', { name: 'Invitations' }).click();
    await admin.getByLabel('Email address').fill('new.analyst@example.com');
    await admin.getByLabel('Role', { exact: true }).selectOption('analyst');
    await admin.getByRole('button', { name: 'Send invitation' }).click();
    const link = await admin.getByTestId('invitation-link').innerText();
    expect(link).toMatch(/\/invite\?token=/);
    await admin.getByRole('cell', { name: 'new.analyst@example.com', exact: true }).waitFor();
    await h.screenshot(admin, 'platform-org-invitations');

    const invitee = await h.newPage();
    await invitee.goto(h.url(new URL(link).pathname + new URL(link).search));
    await invitee.getByTestId('invitation-summary').waitFor();
    await expect(invitee.getByTestId('invitation-summary').innerText()).resolves.toMatch(/OptiBid Energy.*analyst/s);
    await invitee.getByLabel('Your name').fill('Nia New');
    await invitee.getByLabel('Choose a password').fill('analyst-pass-1');
    await invitee.getByLabel('Repeat the password').fill('analyst-pass-1');
    await h.screenshot(invitee, 'platform-invite');
    await invitee.getByRole('button', { name: 'Join OptiBid Energy' }).click();
    await invitee.waitForURL((u) => u.pathname === '/');
    await expect(invitee.getByTestId('user-role').innerText()).resolves.toBe('analyst');
    await signOut(invitee);
    await h.login(invitee, 'new.analyst@example.com', 'analyst-pass-1');
    await expect(invitee.getByTestId('user-name').innerText()).resolves.toBe('Nia New');

    // The admin sees the accepted invitation, the new member, and the activity.
    await admin.reload();
    await admin.getByRole('cell', { name: 'new.analyst@example.com', exact: true }).waitFor();
    await expect(admin.getByText('accepted').count()).resolves.toBeGreaterThan(0);
    await admin.getByRole('tab', { name: 'Activity' }).click();
    await admin.getByText(/invitation/).first().waitFor();
    await h.screenshot(admin, 'platform-org-activity');
    await admin.getByRole('tab', { name: 'Usage' }).click();
    await admin.getByTestId('quota-members').waitFor();
    await h.screenshot(admin, 'platform-org-usage');
    await admin.getByRole('tab', { name: 'API keys' }).click();
    await admin.getByLabel('Key name').fill('e2e reader');
    await admin.getByRole('button', { name: 'Create key' }).click();
    const key = await admin.getByTestId('api-key-value').innerText();
    const viaKey = await fetch(h.url('/api/org/members'), { headers: { 'x-api-key': key } });
    expect(viaKey.status).toBe(200);
    await h.screenshot(admin, 'platform-org-api-keys');
  });

  test('a trader creates an alert rule, sees it, and its alert arrives once in the list and the bell', async () => {
    const page = await h.newPage();
    await h.login(page, 'trader@optibid.io', 'trader123');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }).click();
    await page.waitForURL((u) => u.pathname === '/notifications');
    await page.getByLabel('Rule name').fill('ERCOT spike');
    await page.getByLabel('When').selectOption('price_above');
    await page.getByLabel('Market').selectOption('ERCOT');
    await page.getByLabel('Threshold ($/MWh)').fill('900');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByTestId('alert-rules').getByText('ERCOT spike').waitFor();
    await expect(page.getByTestId('alert-rules').innerText()).resolves.toMatch(/ERCOT .* price above 900 \$\/MWh/);
    const location = await page.getByLabel('Location').inputValue();
    await expect(page.getByTestId('unread-count').innerText()).resolves.toBe('0');

    // Two ticks above the threshold: one occurrence, one notification.
    for (const lmp of [950, 960]) {
      const r = await fetch(h.url('/simulate/price-update'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ market_zone: 'ercot', location, lmp }) });
      expect(r.status).toBe(200);
    }
    await page.getByTestId('notification-list').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('unread-count').innerText(), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => page.getByTestId('unread-badge').innerText()).toBe('1');
    await expect(page.getByTestId('notification-list').locator('li').count()).resolves.toBe(1);
    await h.screenshot(page, 'platform-notifications');
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await expect.poll(() => page.getByTestId('unread-count').innerText()).toBe('0');
    await expect.poll(() => page.getByTestId('unread-badge').count()).toBe(0);
  });

  test('MFA: enrolment shows a QR code, a TOTP code confirms it, and sign-in then asks for the code', async () => {
    const email = `mfa.user.${Date.now()}@example.com`;
    const password = 'mfa-user-pass-1';
    const reg = await fetch(h.url('/api/auth/register'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, name: 'Mia Factor', organization_name: 'Factor Energy' }),
    });
    expect(reg.status).toBe(201);

    const page = await h.newPage();
    await h.login(page, email, password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
    await page.waitForURL((u) => u.pathname === '/security');
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const qr = page.getByTestId('mfa-qr');
    await qr.waitFor();
    await expect(qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).resolves.toBe(true);
    const secret = (await page.getByTestId('mfa-secret').innerText()).trim();
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    await h.screenshot(page, 'platform-mfa-enrol');
    await page.getByLabel('Authentication code').fill(await codeAt(secret));
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    await expect(page.getByTestId('recovery-codes').locator('li').count()).resolves.toBe(10);
    await h.screenshot(page, 'platform-mfa-recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await expect.poll(() => page.getByTestId('recovery-codes-left').innerText()).toContain('10');
    await h.screenshot(page, 'platform-security');
    await signOut(page);

    // Password alone is not enough now: the form asks for the code.
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').waitFor();
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByText('That code is not valid').waitFor();
    await h.screenshot(page, 'platform-login-mfa');
    // The enrolment used the current step; the next step's code is accepted once (±1 step).
    await page.getByLabel('Authentication code').fill(await codeAt(secret, 1));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await expect(page.getByTestId('user-name').innerText()).resolves.toBe('Mia Factor');
    expect(h.pageErrors).toEqual([]);
  });

  test('a member of an organisation that requires MFA is sent to enrolment, and can work once enrolled', async () => {
    const email = `must.enrol.${Date.now()}@example.com`;
    const password = 'must-enrol-pass-1';
    const reg = await fetch(h.url('/api/auth/register'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, name: 'Rae Required', organization_name: 'Strict Energy' }),
    });
    expect(reg.status).toBe(201);
    const { access_token } = (await reg.json()) as { access_token: string };
    const patch = await fetch(h.url('/api/org/settings'), {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
      body: JSON.stringify({ require_mfa: true }),
    });
    expect(patch.status).toBe(200);

    const page = await h.newPage();
    await page.goto(h.url('/login'));
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The dashboard's first API call answers 403 mfa_enrollment_required: the shell moves on to enrolment.
    await page.waitForURL((u) => u.pathname === '/security');
    await page.getByText('Your organisation requires two-factor authentication').waitFor();
    await h.screenshot(page, 'platform-mfa-required');
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const secret = (await page.getByTestId('mfa-secret').innerText()).trim();
    await page.getByLabel('Authentication code').fill(await codeAt(secret));
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisation' }).click();
    await page.getByRole('cell', { name: email }).first().waitFor();
    expect(page.url()).toContain('/organization');
  });

  test('forgot password is linked from the login page; a reset link without a token explains itself', async () => {
    const page = await h.newPage();
    await page.goto(h.url('/login'));
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL((u) => u.pathname === '/forgot-password');
    await page.getByLabel('Email').fill('trader@optibid.io');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText(/a single-use reset link is on its way/).waitFor();
    await h.screenshot(page, 'platform-forgot-password');
    await page.goto(h.url('/reset-password'));
    await page.getByText('This link has no valid reset token').waitFor();
  });
});
