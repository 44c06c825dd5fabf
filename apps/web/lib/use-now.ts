'use client';
import { useEffect, useState } from 'react';

/** Epoch ms, re-rendered every `everyMs` (null until mounted, so static HTML does not bake a time in). */
export function useNow(everyMs = 1000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
