import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { localDateOf } from '../../src/time/zoned.js';
import { parsePriceFile } from '../../src/importers/parse-file.js';
import type { NormalizedPriceRow, PriceParseOptions, PriceParseResult } from '../../src/importers/types.js';

const FIXTURES = fileURLToPath(new URL('./', import.meta.url));

export function fixture(rel: string): { name: string; data: Uint8Array } {
  return { name: rel.split('/').pop()!, data: new Uint8Array(readFileSync(FIXTURES + rel)) };
}

export function parseFixture(rel: string, opts: PriceParseOptions = {}): PriceParseResult {
  const results = parsePriceFile(fixture(rel), opts);
  if (results.length !== 1) throw new Error(`expected one result for ${rel}, got ${results.length}`);
  return results[0]!;
}

/** Distinct interval starts per market-local date for one location. */
export function intervalsPerLocalDay(rows: NormalizedPriceRow[], location: string, timeZone: string): Record<string, number> {
  const byDay = new Map<string, Set<number>>();
  for (const r of rows) {
    if (r.location !== location) continue;
    const d = localDateOf(r.interval_start, timeZone);
    let s = byDay.get(d);
    if (!s) byDay.set(d, (s = new Set()));
    s.add(r.interval_start.getTime());
  }
  return Object.fromEntries([...byDay].map(([d, s]) => [d, s.size]));
}

export function uniqueKeys(rows: NormalizedPriceRow[]): number {
  return new Set(rows.map((r) => `${r.market}|${r.location}|${r.run}|${r.interval_start.getTime()}`)).size;
}

export function find(rows: NormalizedPriceRow[], location: string, startIso: string): NormalizedPriceRow | undefined {
  return rows.find((r) => r.location === location && r.interval_start.toISOString() === startIso);
}
