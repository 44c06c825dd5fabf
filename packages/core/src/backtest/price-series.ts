/**
 * Price series preparation for backtests: sort by instant, infer the interval
 * length, fill missing intervals (and non-finite prices) by linear
 * interpolation and report every filled interval, never a silent zero. Each
 * interval also gets its market-local date and clock time (the only place
 * local time enters a backtest: days, gate closure, same-hour forecasts).
 */

export interface BacktestPricePoint {
  /** UTC instant the interval starts. */
  interval_start: Date;
  price_usd_per_mwh: number;
}

export interface SeriesPoint extends BacktestPricePoint {
  /** Market-local calendar date `YYYY-MM-DD`. */
  local_date: string;
  /** Market-local clock time `HH:MM`. */
  local_time: string;
}

export interface PreparedPriceSeries {
  timezone: string;
  interval_hours: number;
  points: SeriesPoint[];
  /** Indices into `points` whose price was interpolated (missing interval or non-finite value). */
  interpolated: number[];
}

export interface LocalDay {
  date: string;
  /** [start, end) indices into the series points. */
  start: number;
  end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function backtestLocalDateTime(instant: Date, timezone: string): { date: string; time: string } {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(instant)) parts[p.type] = p.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

function inferStepMs(sorted: BacktestPricePoint[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < sorted.length; i++) {
    const d = sorted[i]!.interval_start.getTime() - sorted[i - 1]!.interval_start.getTime();
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 3_600_000;
  let n = 0;
  for (const [d, c] of counts) {
    if (c > n) {
      best = d;
      n = c;
    }
  }
  return best;
}

export function preparePriceSeries(input: readonly BacktestPricePoint[], opts: { timezone: string; interval_hours?: number }): PreparedPriceSeries {
  const sorted = [...input].sort((a, b) => a.interval_start.getTime() - b.interval_start.getTime());
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.interval_start.getTime() === sorted[i - 1]!.interval_start.getTime()) {
      throw new Error(`duplicate price interval ${sorted[i]!.interval_start.toISOString()}`);
    }
  }
  const stepMs = opts.interval_hours ? Math.round(opts.interval_hours * 3_600_000) : inferStepMs(sorted);
  const times: number[] = [];
  const prices: number[] = [];
  for (const p of sorted) {
    const t = p.interval_start.getTime();
    const last = times[times.length - 1];
    if (last !== undefined) {
      if ((t - last) % stepMs !== 0) throw new Error(`interval ${p.interval_start.toISOString()} is off the ${stepMs / 60000}-minute grid`);
      for (let g = last + stepMs; g < t; g += stepMs) {
        times.push(g);
        prices.push(NaN);
      }
    }
    times.push(t);
    prices.push(p.price_usd_per_mwh);
  }
  const interpolated: number[] = [];
  for (let i = 0; i < prices.length; i++) {
    if (Number.isFinite(prices[i])) continue;
    interpolated.push(i);
    let lo = i - 1;
    while (lo >= 0 && !Number.isFinite(prices[lo])) lo--;
    let hi = i + 1;
    while (hi < prices.length && !Number.isFinite(prices[hi])) hi++;
    const a = lo >= 0 ? prices[lo]! : undefined;
    const b = hi < prices.length ? prices[hi]! : undefined;
    if (a === undefined && b === undefined) throw new Error('price series has no finite prices');
    // Linear in time between the nearest known neighbours; the nearest one at the edges.
    prices[i] = a === undefined ? b! : b === undefined ? a : a + ((b - a) * (i - lo)) / (hi - lo);
  }
  const points = times.map((t, i): SeriesPoint => {
    const instant = new Date(t);
    const local = backtestLocalDateTime(instant, opts.timezone);
    return { interval_start: instant, price_usd_per_mwh: prices[i]!, local_date: local.date, local_time: local.time };
  });
  return { timezone: opts.timezone, interval_hours: stepMs / 3_600_000, points, interpolated };
}

/** Consecutive runs of the same local date within [from, to). */
export function backtestLocalDays(points: readonly SeriesPoint[], from = 0, to = points.length): LocalDay[] {
  const days: LocalDay[] = [];
  for (let i = from; i < to; i++) {
    const last = days[days.length - 1];
    if (last && last.date === points[i]!.local_date) last.end = i + 1;
    else days.push({ date: points[i]!.local_date, start: i, end: i + 1 });
  }
  return days;
}

/**
 * Where a day's history ends: the index of the first interval starting at or
 * after its gate closure (`gateMs` before the day's first interval). Every
 * daily strategy and the forecast series cut here, so they see the same past.
 */
export function historyEndBeforeGate(points: readonly SeriesPoint[], day: LocalDay, gateMs: number): number {
  const cutoff = points[day.start]!.interval_start.getTime() - gateMs;
  let h = day.start;
  while (h > 0 && points[h - 1]!.interval_start.getTime() >= cutoff) h--;
  return h;
}

/** `YYYY-MM-DD` shifted by whole days (calendar arithmetic, no time zone involved). */
export function backtestShiftDate(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
