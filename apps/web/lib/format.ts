/** Display formatting: numbers with units and fixed precision, times with their zone label. */

const nf = (digits: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Price in $/MWh, 2 decimals. */
export function formatUsdPerMwh(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${nf(2).format(v)} $/MWh`;
}

/** Power in MW, 1 decimal. */
export function formatMw(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${nf(1).format(v)} MW`;
}

/** Energy in MWh, 1 decimal. */
export function formatMwh(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${nf(1).format(v)} MWh`;
}

/** US dollars, 2 decimals, sign kept for P&L. */
export function formatUsd(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(v);
}

export function formatPercent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${nf(digits).format(v)} %`;
}

/** Latency in ms: "< 0.1 ms" for in-process probes, one decimal below 10 ms, integer above. */
export function formatLatencyMs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v < 0.1) return '< 0.1 ms';
  return v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
}

/** "2 h 05 min" style duration from seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

/** Date and time in `timeZone`, with the zone's short name (e.g. "2026-11-25 14:05:09 CST"). */
export function formatDateTime(value: string | number | Date, timeZone: string, opts: { seconds?: boolean } = {}): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return '—';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: opts.seconds === false ? undefined : '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(d);
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  const time = [get('hour'), get('minute'), opts.seconds === false ? '' : get('second')].filter(Boolean).join(':');
  return `${get('year')}-${get('month')}-${get('day')} ${time} ${get('timeZoneName')}`;
}

/** Time only, with zone label ("14:05:09 UTC"). */
export function formatTime(value: string | number | Date, timeZone: string): string {
  const full = formatDateTime(value, timeZone);
  return full === '—' ? full : full.slice(11);
}
