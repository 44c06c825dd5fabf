/**
 * `@optibid/core/rules` is what the web app bundles: its import graph must stay free of the
 * optimiser (HiGHS, the worker pool), the importers and every Node built-in.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateBid, validateBidCurves } from './rules.js';
import { getMarket } from './markets/catalogue.js';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Every specifier imported (values and types) by the files reachable from `entry`. */
function importGraph(entry: string): { files: string[]; external: string[] } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else external.add(spec);
    }
  };
  visit(entry);
  return { files: [...files].map((f) => relative(SRC, f)).sort(), external: [...external].sort() };
}

describe('@optibid/core/rules', () => {
  it('imports no package, no Node built-in and nothing of the optimiser or the importers', () => {
    const { files, external } = importGraph(join(SRC, 'rules.ts'));
    expect(external).toEqual([]);
    expect(files.filter((f) => /^(optimization|importers|backtest|forecasting|simulation)\//.test(f))).toEqual([]);
    expect(files).toContain('bids/validate.ts');
  });

  it('validateBid reports exactly the curve issues of validateBidCurves besides the timing ones', () => {
    const market = getMarket('ERCOT');
    const curves = Array.from({ length: 24 }, () => [{ mw: 5, price_usd_per_mwh: 30 }]);
    curves[2] = [{ mw: 5, price_usd_per_mwh: 6000 }, { mw: 5, price_usd_per_mwh: 20 }];
    const bid = { iso: 'ERCOT' as const, run: 'DA' as const, side: 'supply' as const, delivery_date: '2030-06-04', curves };
    const all = validateBid(bid, { market, limits: { min_mw: 0, max_mw: 8 }, now: new Date('2030-06-01T00:00:00Z') });
    const curveOnly = validateBidCurves(bid, { market, limits: { min_mw: 0, max_mw: 8 } });
    expect(curveOnly.map((i) => i.code)).toEqual(['price_above_hard_cap', 'non_monotone_price', 'mw_outside_limits']);
    expect(all).toEqual(curveOnly);
  });
});
