/** `optibid forecast evaluate` on ISO files through the importers (the built CLI in a child process). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const FIX = fileURLToPath(new URL('../../../packages/core/test-fixtures/market-data/', import.meta.url));
const DEMO = fileURLToPath(new URL('../demo-data/', import.meta.url));
const built = fs.existsSync(CLI);
if (!built && process.env.REQUIRE_INTEGRATION === '1') throw new Error(`the server is not built (${CLI}); run npm run build`);

const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const run = (args: string[]) => cli(['forecast', 'evaluate', ...args]);

describe.skipIf(!built)('optibid forecast evaluate on ISO files', () => {
  it('reads repeated --data files in ISO formats, keeps the --run asked for, and scores the test day', () => {
    const args = ['--data', `${DEMO}pjm_da_hrl_lmps_western_hub_2025-05-01_08-01.csv.gz`, '--location', 'WESTERN HUB', '--model', 'weekly-naive', '--test-start', '2025-07-01', '--test-end', '2025-07-10', '--workers', '1'];
    const da = run([...args, '--data', `${DEMO}pjm_rt_hrl_lmps_western_hub_2025-05-01_08-01.csv.gz`, '--run', 'DA']);
    expect(da.code, da.err).toBe(0);
    const out = JSON.parse(da.out.trim());
    expect(out).toMatchObject({ model: 'weekly-naive', test_start: '2025-07-01', test_end: '2025-07-10', days: 10 });
    // The same days from the DA file alone give the same score: the RT rows were left out.
    const alone = JSON.parse(run(args).out.trim());
    expect(alone.mae).toBeCloseTo(out.mae, 9);
    const rt = JSON.parse(run([...args.slice(2), '--data', `${DEMO}pjm_rt_hrl_lmps_western_hub_2025-05-01_08-01.csv.gz`, '--run', 'RTH']).out.trim());
    expect(Math.abs(rt.mae - out.mae)).toBeGreaterThan(0.01);
  });

  it('refuses a stray positional argument and an ambiguous location', () => {
    const stray = run(['extra.csv', '--data', `${FIX}pjm/da_hrl_lmps_2025-05-01_02.csv.gz`, '--test-start', '2025-05-02']);
    expect(stray.code).toBe(2);
    expect(stray.err).toMatch(/unexpected argument "extra.csv"/);
    const ambiguous = run(['--data', `${FIX}pjm/da_hrl_lmps_2025-05-01_02.csv.gz`, '--test-start', '2025-05-02']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toMatch(/12 locations: pick one with --location/);
  });
});

describe.skipIf(!built)('optibid backtest on ISO files', () => {
  it('reads --data like --prices, and refuses a stray argument or both sources', () => {
    const asset = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'optibid-bt-')), 'battery.json');
    fs.writeFileSync(asset, JSON.stringify({ charge_power_mw: 1, discharge_power_mw: 1, energy_mwh: 2, charge_efficiency: 0.92, discharge_efficiency: 0.92 }));
    const file = `${DEMO}pjm_da_hrl_lmps_western_hub_2025-05-01_08-01.csv.gz`;
    const common = ['--location', 'WESTERN HUB', '--asset', asset, '--strategy', 'perfect', '--start', '2025-06-02', '--end', '2025-06-15'];
    const viaPrices = cli(['backtest', '--prices', file, ...common]);
    expect(viaPrices.code, viaPrices.err).toBe(0);
    const viaData = cli(['backtest', '--data', file, '--data', `${DEMO}pjm_rt_hrl_lmps_western_hub_2025-05-01_08-01.csv.gz`, ...common]);
    expect(viaData.code, viaData.err).toBe(0);
    expect(JSON.parse(viaData.out.trim()).net_usd).toBeCloseTo(JSON.parse(viaPrices.out.trim()).net_usd, 6);
    const stray = cli(['backtest', 'prices.csv', '--data', file, ...common]);
    expect(stray.code).toBe(2);
    expect(stray.err).toMatch(/unexpected argument "prices.csv"/);
    expect(cli(['backtest', '--data', file, '--prices', file, ...common]).err).toMatch(/--prices <file> or --data/);
  }, 240_000);
});
