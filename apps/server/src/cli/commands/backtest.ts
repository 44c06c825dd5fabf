/**
 * `optibid backtest`: a battery backtest on a price file, scored against
 * perfect foresight and persistence. Prints one JSON object on stdout; the
 * progress bar goes to stderr. Files are read by the importers
 * (`parsePriceFile`, any format they detect, gzip/zip included).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  createSolverPool,
  getAncillaryMarket,
  parseAncillaryPriceFile,
  forecasterFromModel,
  getMarket,
  backtestLocalDateTime,
  parsePriceFile,
  runBacktest,
  weeklyNaiveForecaster,
  PRICE_FORMAT_IDS,
  type BacktestConfig,
  type BacktestReport,
  type BatteryParams,
  type PriceFormatId,
  type PriceRun,
} from '@optibid/core';
import { CliUsageError, formatOptions, parseArgs, type CliCommand, type OptionSpec } from '../args.js';
import { readPriceSeries } from '../price-data.js';
import { ProgressBar } from '../progress.js';

const spec: Record<string, OptionSpec> = {
  prices: { type: 'string', description: 'price file in any format the importers read (.gz/.zip ok)' },
  data: { type: 'string', multiple: true, description: 'price files or folders in any importer format (repeatable), instead of --prices' },
  format: { type: 'string', description: `skip detection: ${PRICE_FORMAT_IDS.join(' | ')}` },
  location: { type: 'string', required: true, description: 'location id as in the file (e.g. N.Y.C., HB_HOUSTON)' },
  run: { type: 'string', default: 'DA', description: 'price run: DA | RT5 | RT15 | RTH' },
  start: { type: 'string', description: 'first delivery day YYYY-MM-DD (market-local) or an ISO instant (default: start of data)' },
  end: { type: 'string', description: 'last delivery day YYYY-MM-DD, inclusive (market-local) or an ISO instant, exclusive (default: end of data)' },
  asset: { type: 'string', required: true, description: 'battery JSON: charge_power_mw, discharge_power_mw, energy_mwh, charge_efficiency, discharge_efficiency, …' },
  strategy: { type: 'string', default: 'persistence', description: 'perfect | persistence | rolling | forecast:<model> (naive, weekly-naive, lear:<days>, lear-ensemble)' },
  'horizon-hours': { type: 'string', default: '24', description: 'rolling: planning horizon in hours (re-planned every 24 h)' },
  'as-prices': { type: 'string', description: 'ancillary-service clearing prices (ERCOT NP4-181-ER zip/CSV, SPP DA-MCP): co-optimise energy and AS' },
  'as-model': { type: 'string', default: 'default', description: 'reference (capacity only, the issue-14 LP) | default (ISO duration rules, regulation deployment, degradation, cycle cap)' },
  'as-zone': { type: 'string', description: 'AS price zone when the file has several (SPP reserve zone 1…5 or SPP)' },
  'as-products': { type: 'string', description: 'comma-separated AS products to sell (default: every product in the file the catalogue knows)' },
  out: { type: 'string', description: 'write the daily P&L to this CSV' },
  workers: { type: 'string', default: '2', description: 'solver worker threads' },
};

const USAGE = `optibid backtest --prices <file> | --data <file or folder>… [--format <id>] --location <id> [--run DA] [--start <date>] [--end <date>] --asset <asset.json> [--strategy perfect|persistence|rolling|forecast:<model>] [--horizon-hours 24] [--as-prices <file> [--as-model reference|default] [--as-zone <zone>]] [--out daily.csv]

State of charge: \`perfect\` is one optimisation over the whole period ending at least at the
starting state of charge; daily strategies carry the state of charge from day to day.
Energy only, each day ends where its plan ends, except the period's last day, which ends at
least at the starting state of charge; with --as-prices, \`persistence\` and \`forecast:\` plan
every day to end at least where it started. Awards are cleared jointly with the state of
charge, so every award is deliverable. With --as-prices, AS capacity is offered price-taker
(clears at the product's clearing price); \`persistence\` and \`forecast:\` plan on
yesterday's AS prices.

${formatOptions(spec)}`;

const num = (o: Record<string, unknown>, k: string, fallback?: number): number => {
  const v = o[k] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CliUsageError(`asset: ${k} must be a number`);
  return v;
};

/** Battery parameters from an asset JSON (the params themselves, or under `params` / `battery`). */
export function batteryFromAssetJson(json: unknown): BatteryParams {
  if (!json || typeof json !== 'object') throw new CliUsageError('asset: expected a JSON object');
  const root = json as Record<string, unknown>;
  const o = (typeof root.params === 'object' && root.params ? root.params : typeof root.battery === 'object' && root.battery ? root.battery : root) as Record<string, unknown>;
  const energy = num(o, 'energy_mwh');
  const socMin = num(o, 'soc_min_mwh', 0);
  const socMax = num(o, 'soc_max_mwh', energy);
  const cycles = o.max_cycles_per_day;
  if (cycles !== undefined && cycles !== null && (typeof cycles !== 'number' || !(cycles > 0))) throw new CliUsageError('asset: max_cycles_per_day must be a positive number or null');
  return {
    charge_power_mw: num(o, 'charge_power_mw'),
    discharge_power_mw: num(o, 'discharge_power_mw'),
    energy_mwh: energy,
    charge_efficiency: num(o, 'charge_efficiency'),
    discharge_efficiency: num(o, 'discharge_efficiency'),
    soc_min_mwh: socMin,
    soc_max_mwh: socMax,
    soc_initial_mwh: num(o, 'soc_initial_mwh', (socMin + socMax) / 2),
    degradation_cost_usd_per_mwh: num(o, 'degradation_cost_usd_per_mwh', 0),
    max_cycles_per_day: (cycles as number | null | undefined) ?? null,
  };
}

/** A market-local day `YYYY-MM-DD` → the first interval of the series on or after it; an ISO instant as is. */
function periodBound(value: string | undefined, starts: Date[], timezone: string, endOfDay: boolean): Date | undefined {
  if (value === undefined) return undefined;
  if (value.includes('T')) {
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) throw new CliUsageError(`invalid instant ${value}`);
    return d;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new CliUsageError(`invalid date ${value} (YYYY-MM-DD)`);
  const hit = starts.find((s) => (endOfDay ? backtestLocalDateTime(s, timezone).date > value : backtestLocalDateTime(s, timezone).date >= value));
  // Past the data: an empty period for a start (reported as an error), the end of the data for an end.
  return hit ?? new Date(starts[starts.length - 1]!.getTime() + 1);
}

function dailyCsv(report: BacktestReport): string {
  const cols = ['date', 'revenue_usd', 'cost_usd', 'degradation_usd', 'net_usd', 'discharged_mwh', 'charged_mwh', 'soc_end_mwh', 'undeliverable_mwh', 'status'] as const;
  const products = Object.keys(report.revenue_by_product);
  const num = (x: number) => String(Math.round(x * 1e6) / 1e6);
  const lines = report.daily.map((d) => {
    const base = cols.map((c) => (typeof d[c] === 'number' ? num(d[c] as number) : String(d[c])));
    // With AS: net energy, AS revenue and each product's revenue after the energy-only columns.
    const as = products.length ? [num(d.energy_revenue_usd ?? 0), num(d.as_revenue_usd ?? 0), ...products.map((p) => num(d.revenue_by_product?.[p] ?? 0))] : [];
    return [...base, ...as].join(',');
  });
  const header = [...cols, ...(products.length ? ['energy_revenue_usd', 'as_revenue_usd', ...products.map((p) => `${p}_usd`)] : [])];
  return [header.join(','), ...lines].join('\n') + '\n';
}

/** AS prices for the backtest: the file's rows for one zone, the products the catalogue knows for the market. */
function readAncillary(o: Record<string, unknown>, iso: Parameters<typeof getAncillaryMarket>[0]): NonNullable<BacktestConfig['ancillary']> {
  const model = String(o['as-model']);
  if (model !== 'reference' && model !== 'default') throw new CliUsageError(`--as-model must be reference or default, not ${model}`);
  const file = String(o['as-prices']);
  let rows;
  try {
    rows = parseAncillaryPriceFile({ name: path.basename(file), data: new Uint8Array(fs.readFileSync(file)) }).flatMap((r) => r.rows);
  } catch (e) {
    throw new CliUsageError(`cannot read --as-prices ${file}: ${(e as Error).message}`);
  }
  rows = rows.filter((r) => r.market === iso);
  const zones = [...new Set(rows.map((r) => r.zone))];
  const zone = o['as-zone'] !== undefined ? String(o['as-zone']) : zones.length === 1 ? zones[0] : undefined;
  if (zone === undefined) throw new CliUsageError(`--as-prices has ${zones.length ? `several zones (${zones.join(', ')}): choose one with --as-zone` : `no ${iso} prices`}`);
  rows = rows.filter((r) => r.zone === zone);
  const inFile = new Set(rows.map((r) => r.product));
  const catalogue = getAncillaryMarket(iso).products;
  const wanted = o['as-products'] !== undefined ? String(o['as-products']).split(',').map((x) => x.trim()) : catalogue.map((p) => p.id).filter((id) => inFile.has(id));
  const products = wanted.map((id) => {
    const p = catalogue.find((c) => c.id === id);
    if (!p) throw new CliUsageError(`AS product ${id} is not in the ${iso} catalogue (${catalogue.map((c) => c.id).join(', ')})`);
    if (!inFile.has(id)) throw new CliUsageError(`no ${id} prices in ${file} for zone ${zone}`);
    return p;
  });
  if (!products.length) throw new CliUsageError(`no ${iso} AS product of the catalogue in ${file}`);
  return { model, products, prices: rows };
}

const round = (x: number | null, digits = 2) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

export const backtestCommand: CliCommand = {
  name: 'backtest',
  summary: 'Backtest a battery on a price file (perfect, persistence, rolling, forecast:<model>) with capture rate',
  usage: USAGE,
  async run(argv) {
    const { options: o, positionals } = parseArgs(argv, spec);
    if (positionals.length) throw new CliUsageError(`unexpected argument "${positionals[0]}" (name price files with --prices or --data)`);
    if (!o.prices === !o.data) throw new CliUsageError('name the prices with --prices <file> or --data <file or folder> (repeatable)');
    const file = String(o.prices ?? (o.data as string[]).join(', '));
    const format = o.format as PriceFormatId | undefined;
    if (format && !(PRICE_FORMAT_IDS as readonly string[]).includes(format)) throw new CliUsageError(`unknown --format ${format}`);
    const runId = String(o.run) as PriceRun;
    const location = String(o.location);
    const strategyArg = String(o.strategy);
    const [kind, model] = strategyArg.split(/:(.*)/s) as [string, string | undefined];
    if (!['perfect', 'persistence', 'rolling', 'forecast'].includes(kind)) throw new CliUsageError(`unknown --strategy ${strategyArg}`);
    const horizon = Number(o['horizon-hours']);
    if (!(horizon >= 24)) throw new CliUsageError('--horizon-hours must be a number ≥ 24');
    const workers = Math.max(1, Math.floor(Number(o.workers)));

    let battery: BatteryParams;
    try {
      battery = batteryFromAssetJson(JSON.parse(fs.readFileSync(String(o.asset), 'utf8')));
    } catch (e) {
      if (e instanceof CliUsageError) throw e;
      throw new CliUsageError(`cannot read --asset ${String(o.asset)}: ${(e as Error).message}`);
    }
    const all = o.data
      ? readPriceSeries(o.data as string[], { location, run: runId }).rows
      : parsePriceFile({ name: path.basename(file), data: new Uint8Array(fs.readFileSync(file)) }, { ...(format ? { format } : {}), location, run: runId }).flatMap((r) => r.rows);
    const rows = all.filter((r) => r.run === runId && r.location.toLowerCase() === location.toLowerCase());
    if (rows.length === 0) {
      const seen = [...new Set(all.map((r) => `${r.location} (${r.run})`))].slice(0, 20);
      throw new CliUsageError(`no ${runId} prices for location ${location} in ${file}; found: ${seen.join(', ') || 'nothing'}`);
    }
    const market = getMarket(rows[0]!.market);
    const prices = rows.map((r) => ({ interval_start: r.interval_start, price_usd_per_mwh: r.lmp_usd_per_mwh }));
    const starts = prices.map((p) => p.interval_start).sort((a, b) => a.getTime() - b.getTime());
    const start = periodBound(o.start as string | undefined, starts, market.timezone, false);
    const end = periodBound(o.end as string | undefined, starts, market.timezone, true);

    const config: BacktestConfig = {
      prices,
      timezone: market.timezone,
      battery,
      strategy: kind as BacktestConfig['strategy'],
      strategy_label: strategyArg,
      rolling: { horizon_hours: horizon, step_hours: 24 },
      max_segments: market.max_segments,
      offer_limits: { floor_usd_per_mwh: market.offer_limits.floor_usd_per_mwh, cap_usd_per_mwh: market.offer_limits.hard_cap_usd_per_mwh },
      ...(start ? { start } : {}),
      ...(end ? { end } : {}),
      ...(kind === 'forecast' ? { forecaster: model && model !== 'weekly-naive' ? forecasterFromModel(model) : weeklyNaiveForecaster } : {}),
    };
    if (o['as-prices'] !== undefined) config.ancillary = readAncillary(o, market.iso);
    const bar = new ProgressBar('backtest', 1);
    const pool = createSolverPool({ size: workers });
    let report: BacktestReport;
    try {
      report = await runBacktest(config, {
        solve: pool.solve,
        onProgress: (done, total) => {
          if (done === 0) bar.setTotal(total);
          else bar.update(done);
        },
      });
      bar.done();
    } finally {
      await pool.close();
    }
    if (o.out) fs.writeFileSync(String(o.out), dailyCsv(report));
    console.log(
      JSON.stringify({
        strategy: report.strategy,
        location: rows[0]!.location,
        start: report.start.toISOString(),
        end: report.end.toISOString(),
        intervals: report.intervals,
        revenue_usd: round(report.revenue_usd),
        cost_usd: round(report.cost_usd),
        net_usd: round(report.net_usd),
        discharged_mwh: round(report.discharged_mwh, 6),
        cycles: round(report.cycles, 3),
        perfect_foresight_net_usd: round(report.perfect_foresight_net_usd),
        capture_rate: round(report.capture_rate, 4),
        solve_time_ms_median: round(report.solve_time_ms_median, 3),
        margin_over_persistence_usd: round(report.margin_over_persistence_usd),
        interpolated_intervals: report.interpolated_intervals.length,
        undeliverable_mwh: round(report.undeliverable_mwh, 6),
        energy_revenue_usd: round(report.energy_revenue_usd),
        as_revenue_usd: round(report.as_revenue_usd),
        revenue_by_product: Object.fromEntries(Object.entries(report.revenue_by_product).map(([k, v]) => [k, round(v)])),
        ...(report.as_model ? { as_model: report.as_model, as_missing_intervals: report.as_missing_intervals } : {}),
        failed_days: report.failed_days.length,
        no_history_days: report.no_history_days,
      }),
    );
    return 0;
  },
};

export default backtestCommand;
