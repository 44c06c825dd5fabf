'use client';
import { useEffect, type ReactNode } from 'react';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { Badge, Button, DemoBadge } from '@/components/ui';
import { ConnectionIndicator } from './connection-indicator';
import { NotificationBell } from './platform/notification-bell';
import { ThemeToggle } from './theme-toggle';
import { isActive, visibleNav } from '@/lib/nav';
import { useMe, useMeta } from '@/lib/queries';
import { useSession } from '@/lib/session';

export function Brand() {
  return (
    <Link href="/" className="brand" aria-label="OptiBid home">
      Opti<span>Bid</span>
    </Link>
  );
}

/**
 * Header (organisation, user, role, demo badge, connection, theme, sign out) and
 * navigation around a signed-in page. Keeps the stored user in sync with /api/auth/me.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const { user, logout, setUser } = useSession();
  const meta = useMeta();
  const me = useMe(!!user);
  const pathname = usePathname();
  const router = useRouter();

  useEffect(() => {
    if (me.data) setUser(me.data);
  }, [me.data, setUser]);

  if (!user) return null;
  const nav = visibleNav(user);

  async function onLogout() {
    await logout();
    router.replace('/login');
  }

  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="shell-header">
        <Brand />
        {meta.data?.demo_mode ? <DemoBadge /> : null}
        <span className="muted" data-testid="org-name" title="Organisation">
          {user.organization.name}
        </span>
        <div className="spacer" />
        <ConnectionIndicator />
        <NotificationBell />
        <ThemeToggle />
        <div className="shell-user">
          <div className="who">
            <span data-testid="user-name">{user.name}</span>
            <span className="muted" style={{ fontSize: '0.8rem' }}>
              {user.email}
            </span>
          </div>
          <Badge tone="info" title="Your role in this organisation">
            <span data-testid="user-role">{user.role}</span>
          </Badge>
        </div>
        <Button variant="secondary" size="sm" onClick={onLogout}>
          Sign out
        </Button>
      </header>
      <nav className="shell-nav" aria-label="Main">
        <ul>
          {nav.map((e) => (
            <li key={e.href}>
              <Link href={e.href} aria-current={isActive(e, pathname) ? 'page' : undefined}>
                {e.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="shell-main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** Minimal header for pages reachable without signing in (login, register, status). */
export function PublicLayout({ children }: { children: ReactNode }) {
  const meta = useMeta();
  const pathname = usePathname();
  return (
    <div className="public-page">
      <header className="public-header">
        <Brand />
        {meta.data?.demo_mode ? <DemoBadge /> : null}
        <div className="spacer" />
        {pathname !== '/system-status' ? <Link href="/system-status">System status</Link> : null}
        {pathname !== '/login' ? <Link href="/login">Sign in</Link> : null}
        <ThemeToggle />
      </header>
      <main id="main" className="public-main">
        {children}
      </main>
    </div>
  );
}
