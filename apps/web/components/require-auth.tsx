'use client';
import { useEffect, type ReactNode } from 'react';
import { usePathname, useRouter } from 'next/navigation';
import { Loading } from '@/components/ui';
import { useSession } from '@/lib/session';

/** The path to send an anonymous visitor to, remembering where they wanted to go. */
export function loginPath(returnTo: string): string {
  return returnTo && returnTo !== '/' ? `/login?next=${encodeURIComponent(returnTo)}` : '/login';
}

/** Only renders `children` for a signed-in user; anyone else is sent to /login. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    if (status === 'anonymous') router.replace(loginPath(pathname + window.location.search));
  }, [status, router, pathname]);

  if (status !== 'authenticated') {
    return (
      <div className="public-main">
        <Loading label={status === 'anonymous' ? 'Redirecting to sign in…' : 'Loading…'} />
      </div>
    );
  }
  return <>{children}</>;
}
