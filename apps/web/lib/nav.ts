import type { UserView } from '@optibid/contracts';

export interface NavEntry {
  href: string;
  label: string;
  /**
   * Whether the page exists in this build. Entries for pages not built yet stay in
   * this list (one place to see the planned navigation) but are never shown.
   */
  built: boolean;
  /** Extra visibility rule (e.g. admins only). Absent → every signed-in user. */
  visible?: (user: UserView) => boolean;
  /** Reachable without signing in (linked from the login page too). */
  public?: boolean;
}

/** The admin console runs the whole platform: platform administrators only (organisation admins use /organization). */
const isPlatformAdmin = (u: UserView) => u.is_platform_admin;

export const NAV_ENTRIES: readonly NavEntry[] = [
  { href: '/', label: 'Dashboard', built: true },
  { href: '/market', label: 'Market', built: true },
  { href: '/assets', label: 'Assets', built: true },
  { href: '/bidding', label: 'Bidding', built: true },
  { href: '/analytics', label: 'Analytics', built: true },
  { href: '/forecasts', label: 'Forecasts', built: true },
  { href: '/profile', label: 'Profile', built: true },
  { href: '/settings', label: 'Settings', built: true },
  { href: '/notifications', label: 'Notifications', built: true },
  { href: '/organization', label: 'Organisation', built: true },
  { href: '/security', label: 'Security', built: true },
  { href: '/admin', label: 'Admin', built: true, visible: isPlatformAdmin },
  { href: '/system-status', label: 'System status', built: true, public: true },
];

export function visibleNav(user: UserView | null): NavEntry[] {
  return NAV_ENTRIES.filter((e) => e.built && (e.public || (user && (!e.visible || e.visible(user)))));
}

/** Whether `pathname` belongs to the entry (exact for '/', prefix for sections). */
export function isActive(entry: NavEntry, pathname: string): boolean {
  const p = pathname.replace(/\/+$/, '') || '/';
  if (entry.href === '/') return p === '/';
  return p === entry.href || p.startsWith(`${entry.href}/`);
}
