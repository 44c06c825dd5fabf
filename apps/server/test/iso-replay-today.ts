/**
 * "Replay as today" for the ISO test server: a server fetching on its real clock asks for
 * today's files, which no recording has. For the datasets below, a request for a day without a
 * recorded file is answered with a recorded file of a day of the same length (24, or 23/25 on
 * DST days) whose dates are rewritten to the requested day; every value, location and hour is
 * the recorded file's. `recordedDayFor` tells a test which recorded day stood in, so it can
 * check what the server stored against the file. Used only by the browser test of the demo
 * on fetched data.
 *
 *   NYISO damlbmp_zone (NYISO's own files), NYISO rtlbmp_zone (derived from EIA), ERCOT
 *   NP4-190-CD (derived from NP4-180-ER; listing and download), EIA-930 NYIS and ERCO
 *   (the whole file: the recorded UTC day 2019-11-04 / 2015-11-02 for each UTC date from ten
 *   days back to three ahead).
 */
import { hoursInLocalDay } from '@optibid/core';
import { zipSync } from 'fflate';

type Answer = { status: number; body: Uint8Array; type?: string };
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);
const mdy = (day: string) => `${day.slice(5, 7)}/${day.slice(8, 10)}/${day.slice(0, 4)}`;
const dash = (compact: string) => `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Recorded days by the number of hours of the market-local day. */
const RECORDED = {
  damlbmp: { tz: 'America/New_York', days: { 24: '2019-05-01', 23: '2020-03-08', 25: '2019-11-03' } },
  rtlbmp: { tz: 'America/New_York', days: { 24: '2022-12-07', 23: '2022-03-13', 25: '2022-11-06' } },
  np4190: { tz: 'America/Chicago', days: { 24: '2015-11-02', 23: '2015-03-08', 25: '2015-11-01' } },
} as const;
export type ReplayedDataset = keyof typeof RECORDED;

/** The recorded day that stands in for `day` (market-local YYYY-MM-DD). */
export function recordedDayFor(dataset: ReplayedDataset, day: string): string {
  const r = RECORDED[dataset];
  return r.days[hoursInLocalDay(day, r.tz) as 23 | 24 | 25];
}

/** The recorded day's file with its dates rewritten to `day` (NYISO `MM/DD/YYYY HH:MM`, ERCOT `"MM/DD/YYYY"`). */
export function replayedFile(dataset: ReplayedDataset, day: string, fixtureBytes: (rel: string) => Uint8Array): Uint8Array {
  const src = recordedDayFor(dataset, day);
  const c = src.replace(/-/g, '');
  const rel = dataset === 'damlbmp' ? `market-data/nyiso/${c}damlbmp_zone.csv.gz` : dataset === 'rtlbmp' ? `market-data/nyiso/${c}rtlbmp_zone_derived.csv.gz` : `market-data/ercot/DAMSPNP4190_${c}_derived.csv.gz`;
  return bytes(text(fixtureBytes(rel)).split(mdy(src)).join(mdy(day)));
}

/** EIA-930: the recorded UTC day's lines, re-dated to each UTC date around `now`. */
export function replayedEia930(ba: 'NYIS' | 'ERCO', now: Date, fixtureBytes: (rel: string) => Uint8Array): Uint8Array {
  const src = ba === 'NYIS' ? '2019-11-04' : '2015-11-02';
  const [header, ...lines] = text(fixtureBytes(`eia930/${ba}_cut.csv.gz`)).trimEnd().split('\n');
  const day = lines.filter((l) => l.startsWith(`${src} `));
  const today = now.toISOString().slice(0, 10);
  const out = [header!];
  for (let i = -10; i <= 3; i++) for (const l of day) out.push(addDays(today, i) + l.slice(10));
  return bytes(out.join('\n') + '\n');
}

/** The answer for a request no recording holds, or null (then the server says 404). */
export function replayAsToday(u: URL, fixtureBytes: (rel: string) => Uint8Array, now: Date): Answer | null {
  let m = /^\/public\/csv\/(damlbmp|rtlbmp)\/(\d{8})(damlbmp|rtlbmp)_zone\.csv$/.exec(u.pathname);
  if (m && m[1] === m[3]) return { status: 200, body: replayedFile(m[1] as ReplayedDataset, dash(m[2]!), fixtureBytes), type: 'text/csv' };
  if (u.pathname === '/api/public-reports/archive/np4-190-cd') {
    // The day's document is posted the day before delivery; its id names the delivery day.
    const download = u.searchParams.get('download');
    if (download) {
      m = /^replay-(\d{8})$/.exec(download);
      return m ? { status: 200, body: zipSync({ [`cdr.00012331.0000000000000000.${m[1]}.DAMSPNP4190.csv`]: replayedFile('np4190', dash(m[1]!), fixtureBytes) }) } : null;
    }
    const post = (u.searchParams.get('postDatetimeFrom') ?? '').slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(post)) return null;
    const doc = `replay-${addDays(post, 1).replace(/-/g, '')}`;
    return { status: 200, body: bytes(JSON.stringify({ archives: [{ docId: doc, friendlyName: `DAMSPNP4190_${doc}`, postDatetime: `${post}T13:30:00` }] })), type: 'application/json' };
  }
  m = /^\/data\/release_2020_Oct\/balancing_authorities\/(NYIS|ERCO)\.csv$/.exec(u.pathname);
  if (m) return { status: 200, body: replayedEia930(m[1] as 'NYIS' | 'ERCO', now, fixtureBytes), type: 'text/csv' };
  return null;
}
