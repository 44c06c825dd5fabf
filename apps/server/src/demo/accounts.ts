import type { Role } from '@optibid/core';

export const DEMO_ORGANIZATION = 'OptiBid Energy';

/** Demo accounts exist only in demo mode; the README lists them and the login page shows them. */
export const DEMO_ACCOUNTS: readonly { email: string; password: string; name: string; role: Role; is_platform_admin: boolean }[] = [
  { email: 'admin@optibid.io', password: 'admin123', name: 'Ada Admin', role: 'owner', is_platform_admin: true },
  { email: 'trader@optibid.io', password: 'trader123', name: 'Tom Trader', role: 'trader', is_platform_admin: false },
  { email: 'analyst@optibid.io', password: 'analyst123', name: 'Ana Analyst', role: 'analyst', is_platform_admin: false },
  { email: 'viewer@optibid.io', password: 'viewer123', name: 'Vic Viewer', role: 'viewer', is_platform_admin: false },
];
