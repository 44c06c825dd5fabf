'use client';
import { useCallback } from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';

/** The selected tab kept in `?tab=` so a reload or a shared link opens the same tab. Needs a Suspense boundary. */
export function useTabParam(ids: readonly string[], fallback: string): [string, (id: string) => void] {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const current = search.get('tab');
  const selected = current && ids.includes(current) ? current : fallback;
  const select = useCallback(
    (id: string) => {
      const p = new URLSearchParams(search.toString());
      p.set('tab', id);
      router.replace(`${pathname}?${p.toString()}`, { scroll: false });
    },
    [search, router, pathname],
  );
  return [selected, select];
}
