/**
 * The in-app path from `?next=` on the login page, or '/'. Only same-site absolute
 * paths are accepted so a crafted link cannot bounce a user to another site after login.
 */
export function readReturnTo(search: string): string {
  const next = new URLSearchParams(search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/login') || next.startsWith('/register')) return '/';
  return next;
}
