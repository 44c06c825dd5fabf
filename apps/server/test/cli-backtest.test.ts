/**
 * `optibid backtest` with ancillary services, as a user runs it: the built CLI
 * in a child process on the ERCOT 2015 fixtures (packages/core/test-fixtures/ercot-2015).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const built = fs.existsSync(CLI);
if (!built && process.env.REQUIRE_INTEGRATION === '1') throw new Error(`the server is not built (${CLI}); run npm run build`);
const FIX = fileURLToPath(new URL('../../../packages/core/test-fixtures/ercot-2015/', import.meta.url));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'silent' }, timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!built)('optibid backtest --as-prices', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-bt-'));
  const asset = path.join(dir, 'battery.json');
  fs.writeFileSync(asset, JSON.stringify({ charge_power_mw: 1, discharge_power_mw: 1, energy_mwh: 2, charge_efficiency: Math.sqrt(0.85), discharge_efficiency: Math.sqrt(0.85), soc_min_mwh: 0, soc_max_mwh: 2, soc_initial_mwh: 1 }));
  const base = ['backtest', '--prices', path.join(FIX, 'DAMLZHBSPP_2015_HB_HOUSTON_derived.csv.gz'), '--location', 'HB_HOUSTON', '--asset', asset];

  it('perfect, reference model: $147,471.44 ± 0.5 % with revenue by product; the SoC rule is in --help', () => {
    const r = run([...base, '--strategy', 'perfect', '--as-prices', path.join(FIX, 'NP4-181-ER_DAMASMCPC_2015.zip'), '--as-model', 'reference']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(Math.abs(j.net_usd - 147471.44)).toBeLessThan(147471.44 * 0.005);
    expect(j.capture_rate).toBeCloseTo(1, 6);
    expect(Object.keys(j.revenue_by_product).sort()).toEqual(['NSPIN', 'REGDN', 'REGUP', 'RRS']);
    expect(j.energy_revenue_usd + j.as_revenue_usd).toBeCloseTo(j.net_usd, 1);
    expect(j.undeliverable_mwh).toBe(0);
    expect(j.as_model).toBe('reference');
    const help = run(['backtest', '--help']);
    expect(help.out).toMatch(/ending at least at the\s+starting state of charge/);
    expect(help.out).toMatch(/--as-model/);
  }, 180_000);

  it('refuses a bad --as-model and an AS file it cannot read, with a message', () => {
    const bad = run([...base, '--as-prices', path.join(FIX, 'NP4-181-ER_DAMASMCPC_2015.zip'), '--as-model', 'magic']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--as-model must be reference or default/);
    const wrong = run([...base, '--as-prices', path.join(FIX, 'DAMLZHBSPP_2015_HB_HOUSTON_derived.csv.gz')]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/not an ancillary-service price file/);
  });
});
