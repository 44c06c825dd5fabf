/**
 * A real HTTP server in the test process that answers at each ISO's real paths with the
 * repository's real (or documented-layout derived) files, and with the failures each ISO is
 * known for, queued per path prefix. Files come from packages/core/test-fixtures (origin and
 * what was cut or derived: that folder's README files); gzip fixtures are served decompressed,
 * i.e. as the ISO's original bytes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync, zipSync } from 'fflate';
import { replayAsToday } from './iso-replay-today.js';

const FIX = fileURLToPath(new URL('../../../packages/core/test-fixtures/', import.meta.url));
export function fixtureBytes(rel: string): Uint8Array {
  const b = new Uint8Array(readFileSync(FIX + rel));
  return rel.endsWith('.gz') ? gunzipSync(b) : b;
}
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

export type Fault =
  | { kind: 'status'; status: number; retryAfterS?: number }
  | { kind: 'stall' }
  | { kind: 'truncate' }
  | { kind: 'caiso-no-data' }
  | { kind: 'drop-last-lines'; lines: number };

/** CAISO's answer to a query without data: a zip holding an XML error document (gridstatus: caiso.py). */
export function caisoNoDataZip(): Uint8Array {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><OASISReport xmlns="http://www.caiso.com/soa/OASISReport_v1.xsd"><MessagePayload><RTO><name>CAISO</name><ERROR><ERR_CODE>1000</ERR_CODE><ERR_DESC>No data returned for the specified selection</ERR_DESC></ERROR></RTO></MessagePayload></OASISReport>`;
  return zipSync({ 'INVALID_REQUEST.xml': bytes(xml) });
}

type Handler = (url: URL, req: http.IncomingMessage) => { status: number; body: Uint8Array; type?: string } | null;

const ymd = (compact: string) => `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;

/** Keeps the header and the lines for which `keep(fields)` holds, unchanged. */
function filterCsv(body: Uint8Array, keep: (f: string[]) => boolean, headerLines = 1): Uint8Array {
  const lines = text(body).split('\n');
  const out = lines.slice(0, headerLines);
  for (const l of lines.slice(headerLines)) if (l.trim() && keep(l.replace(/\r$/, '').split(','))) out.push(l);
  return bytes(out.join('\n') + '\n');
}

const ROUTES: [RegExp, Handler][] = [
  // CAISO OASIS: the derived PRC_LMP zip (2025-08-01..02) for a query starting on those days; else "no data".
  [/^\/oasisapi\/SingleZip$/, (u) => {
    const start = u.searchParams.get('startdatetime') ?? '';
    if (u.searchParams.get('queryname') === 'PRC_LMP' && /^2025080[12]T/.test(start)) return { status: 200, body: fixtureBytes('market-data/caiso/PRC_LMP_DAM_TH_SP15_20250801_02_derived.zip'), type: 'application/x-zip-compressed' };
    // The derived RTD CSV in the zip OASIS wraps every answer in.
    if (u.searchParams.get('queryname') === 'PRC_INTVL_LMP' && /^20250801T/.test(start)) return { status: 200, body: zipSync({ '20250801_20250802_PRC_INTVL_LMP_RTM_LMP_v3.csv': fixtureBytes('market-data/caiso/PRC_INTVL_LMP_RTM_TH_SP15_20250801_derived.csv.gz') }), type: 'application/x-zip-compressed' };
    return { status: 200, body: caisoNoDataZip(), type: 'application/x-zip-compressed' };
  }],
  // ERCOT public API: archive listings and downloads, key and ID token required.
  [/^\/api\/public-reports\/archive\/(np4-180-er|np4-181-er|np4-190-cd|np6-905-cd)$/, (u, req) => {
    if (!req.headers['ocp-apim-subscription-key'] || !/^Bearer .+/.test(String(req.headers.authorization))) return { status: 401, body: bytes('{"statusCode":401,"message":"Access denied due to missing subscription key."}') };
    const report = u.pathname.split('/').pop();
    const download = u.searchParams.get('download');
    if (report === 'np4-180-er') {
      if (download === '13060') return { status: 200, body: fixtureBytes('market-data/ercot/NP4-180-ER_DAMLZHBSPP_2015_cut.zip') };
      if (download) return { status: 404, body: bytes('not found') };
      return json({ archives: [{ docId: 13060, friendlyName: 'DAMLZHBSPP_2015', postDatetime: '2016-01-01T00:20:00' }] });
    }
    if (report === 'np4-181-er') {
      // The original yearly DAM AS clearing-price zip, unchanged.
      if (download === '13091') return { status: 200, body: fixtureBytes('ercot-2015/NP4-181-ER_DAMASMCPC_2015.zip') };
      if (download) return { status: 404, body: bytes('not found') };
      return json({ archives: [{ docId: 13091, friendlyName: 'DAMASMCPC_2015', postDatetime: '2016-01-01T08:00:05' }] });
    }
    if (report === 'np6-905-cd') {
      // One derived file holds the whole Central day 2023-11-05 (ERCOT posts one per 15 minutes).
      if (download === '20231105') return { status: 200, body: zipSync({ 'cdr.00012301.0000000000000000.20231105.SPPHLZNP6905.csv': fixtureBytes('market-data/ercot/NP6-905-CD_20231105_derived.csv.gz') }) };
      if (download) return { status: 404, body: bytes('not found') };
      return json({ archives: u.searchParams.get('postDatetimeFrom')?.startsWith('2023-11-05') ? [{ docId: '20231105', friendlyName: 'SPPHLZNP6905_20231105', postDatetime: '2023-11-06T00:10:00' }] : [] });
    }
    const docs: Record<string, string> = { '2015-03-07': '20150308', '2015-10-31': '20151101', '2015-11-01': '20151102' };
    if (download) {
      const day = Object.values(docs).find((d) => d === download);
      return day ? { status: 200, body: zipSync({ [`cdr.00012331.0000000000000000.${day}.DAMSPNP4190.csv`]: fixtureBytes(`market-data/ercot/DAMSPNP4190_${day}_derived.csv.gz`) }) } : null;
    }
    const post = (u.searchParams.get('postDatetimeFrom') ?? '').slice(0, 10);
    const doc = docs[post];
    return doc ? json({ archives: [{ docId: doc, friendlyName: `DAMSPNP4190_${doc}`, postDatetime: `${post}T13:30:00` }] }) : null;
  }],
  // PJM Data Miner 2: the CSV export's lines whose EPT hour-beginning date is the requested day.
  [/^\/api\/v1\/(da|rt)_hrl_lmps$/, (u, req) => {
    if (req.headers['ocp-apim-subscription-key'] !== 'test-pjm-key') return { status: 401, body: bytes('{"statusCode":401}') };
    const feed = u.pathname.split('/').pop()!;
    const day = (u.searchParams.get('datetime_beginning_ept') ?? '').split(' ')[0]!;
    return { status: 200, body: filterCsv(fixtureBytes(`market-data/pjm/${feed}_2025-05-01_02.csv.gz`), (f) => (f[1] ?? '').startsWith(`${day} `)), type: 'text/csv' };
  }],
  // NYISO MIS: the daily files we have, and a month's zip holding the daily files of that month we have.
  [/^\/public\/csv\/(damlbmp|rtlbmp)\//, (u) => {
    const [, , , kind, name] = u.pathname.split('/') as [string, string, string, 'damlbmp' | 'rtlbmp', string];
    const have = NYISO_DAYS[kind];
    let m = new RegExp(`^(\\d{8})${kind}_zone\\.csv$`).exec(name);
    if (m && have.includes(m[1]!)) return { status: 200, body: fixtureBytes(nyisoFixture(kind, m[1]!)), type: 'text/csv' };
    m = new RegExp(`^(\\d{6})01${kind}_zone_csv\\.zip$`).exec(name);
    const month = m ? have.filter((d) => d.startsWith(m![1]!)) : [];
    if (month.length) return { status: 200, body: zipSync(Object.fromEntries(month.map((d) => [`${d}${kind}_zone.csv`, fixtureBytes(nyisoFixture(kind, d))]))) };
    return null;
  }],
  [/^\/marketreports\/(\d{8})_(da_expost_lmp|rt_lmp_final)\.csv$/, (u) => {
    const [, d, report] = /(\d{8})_(\w+)\.csv$/.exec(u.pathname)!;
    const have = report === 'da_expost_lmp' ? ['20220313', '20221106'] : ['20221106'];
    return have.includes(d!) ? { status: 200, body: fixtureBytes(`market-data/miso/${d}_${report}_derived.csv.gz`), type: 'text/csv' } : null;
  }],
  // SPP file browser: the hub lines of the daily DA-LMP-SL file (intervals ending after 00:00 of the day, up to 24:00).
  [/^\/file-browser-api\/download\/da-lmp-by-settlement-location$/, (u) => {
    const m = /^\/(\d{4})\/(\d{2})\/By_Day\/DA-LMP-SL-(\d{8})0100\.csv$/.exec(u.searchParams.get('path') ?? '');
    if (!m || !['20220312', '20220313', '20220314'].includes(m[3]!)) return null;
    const day = ymd(m[3]!);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const mdy = (d: string) => `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(0, 4)}`;
    return {
      status: 200,
      body: filterCsv(fixtureBytes('market-data/spp/DA-LMP-SL_hubs_2022-03-12_14.csv.gz'), (f) => (f[0]!.startsWith(mdy(day)) && !f[0]!.endsWith(' 00:00:00')) || f[0] === `${mdy(next)} 00:00:00`),
      type: 'text/csv',
    };
  }],
  [/^\/file-browser-api\/download\/rtbm-lmp-by-location$/, (u) => {
    const m = /^\/(\d{4})\/(\d{2})\/By_Day\/RTBM-LMP-DAILY-SL-(\d{8})\.csv$/.exec(u.searchParams.get('path') ?? '');
    return m?.[3] === '20220313' ? { status: 200, body: fixtureBytes('market-data/spp/RTBM-LMP-DAILY-SL-20220313_derived.csv.gz'), type: 'text/csv' } : null;
  }],
  // SPP's original DA-MCP files, unchanged (kept in the month's folder, no By_Day).
  [/^\/file-browser-api\/download\/da-mcp$/, (u) => {
    const m = /^\/(\d{4})\/(\d{2})\/DA-MCP-(\d{8})0100\.csv$/.exec(u.searchParams.get('path') ?? '');
    return m && SPP_MCP_DAYS.includes(m[3]!) ? { status: 200, body: fixtureBytes(`market-data/spp/DA-MCP-${m[3]}0100.csv`), type: 'text/csv' } : null;
  }],
  [/^\/static-transform\/csv\/histRpts\/(da-lmp\/WW_DALMP_ISO|rt-lmp\/lmp_rt_final)_(\d{8})\.csv$/, (u) => {
    const d = u.pathname.slice(-12, -4);
    if (u.pathname.includes('/rt-lmp/')) return d === '20220313' ? { status: 200, body: fixtureBytes(`market-data/isone/lmp_rt_final_${d}_derived.csv.gz`), type: 'text/csv' } : null;
    return ['20220313', '20221106'].includes(d) ? { status: 200, body: fixtureBytes(`market-data/isone/WW_DALMP_ISO_${d}_derived.csv.gz`), type: 'text/csv' } : null;
  }],
  [/^\/data\/release_2020_Oct\/balancing_authorities\/[A-Z]{3,4}\.csv$/, (u) => {
    const ba = u.pathname.split('/').pop()!.slice(0, -4);
    return EIA930_CUTS[ba] ? { status: 200, body: fixtureBytes(`eia930/${EIA930_CUTS[ba]}`), type: 'text/csv' } : null;
  }],
];

const NYISO_DAYS = { damlbmp: ['20190501', '20191103', '20200308'], rtlbmp: ['20220313', '20221106', '20221207'] };
/** NYISO's own DA files; the RT ones are derived from EIA's hourly RT zonal LMPs (see the fixtures' README). */
const nyisoFixture = (kind: 'damlbmp' | 'rtlbmp', day: string) => `market-data/nyiso/${day}${kind}_zone${kind === 'rtlbmp' ? '_derived' : ''}.csv.gz`;
const SPP_MCP_DAYS = ['20220201', '20220312', '20220313', '20220314'];
const EIA930_CUTS: Record<string, string> = {
  NYIS: 'NYIS_cut.csv.gz',
  ERCO: 'ERCO_cut.csv.gz',
  ...Object.fromEntries(['CISO', 'PJM', 'MISO', 'SWPP', 'ISNE'].map((ba) => [ba, `${ba}_2019-11-03_06_cut.csv.gz`])),
};

function json(v: unknown) {
  return { status: 200, body: bytes(JSON.stringify(v)), type: 'application/json' };
}

/** ISO_BASE_URL_* for every client (and EIA-930), all pointing at one test server. */
export function isoBaseUrlEnv(url: string): Record<string, string> {
  return Object.fromEntries(['CAISO', 'ERCOT', 'PJM', 'NYISO', 'MISO', 'SPP', 'ISONE', 'EIA930'].map((k) => [`ISO_BASE_URL_${k}`, url]));
}

export interface IsoTestServerOptions {
  /** Answer requests for days no recording holds with a recorded day re-dated (iso-replay-today.ts). */
  replayToday?: boolean;
}

export class IsoTestServer {
  constructor(private readonly opts: IsoTestServerOptions = {}) {}

  private server: http.Server | null = null;
  private readonly faults: { prefix: string; fault: Fault }[] = [];
  private readonly sockets = new Set<import('node:net').Socket>();
  /** Every request path (with query) in arrival order, and its answer status. */
  readonly requests: { path: string; status: number | 'stalled' }[] = [];
  url = '';

  /** Queues faults for the next requests whose path starts with `prefix`. */
  fail(prefix: string, ...faults: Fault[]): void {
    for (const fault of faults) this.faults.push({ prefix, fault });
  }

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://x');
    const path = `${u.pathname}${u.search}`;
    const i = this.faults.findIndex((f) => u.pathname.startsWith(f.prefix));
    const fault = i >= 0 ? this.faults.splice(i, 1)[0]!.fault : null;
    if (fault?.kind === 'status') {
      this.requests.push({ path, status: fault.status });
      res.writeHead(fault.status, fault.retryAfterS !== undefined ? { 'retry-after': String(fault.retryAfterS) } : {});
      res.end(`simulated ${fault.status}`);
      return;
    }
    if (fault?.kind === 'stall') {
      // Headers and a first chunk, then nothing: only a body timeout gets out of this.
      this.requests.push({ path, status: 'stalled' });
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('Time Stamp,');
      return;
    }
    const route = ROUTES.find(([re]) => re.test(u.pathname));
    const replay = () => (this.opts.replayToday ? replayAsToday(u, fixtureBytes, new Date()) : null);
    // Replaying, the EIA-930 files are built around today rather than served as recorded.
    const answer = this.opts.replayToday && u.pathname.includes('/balancing_authorities/') ? (replay() ?? route?.[1](u, req) ?? null) : ((route ? route[1](u, req) : null) ?? replay());
    if (!answer) {
      this.requests.push({ path, status: 404 });
      res.writeHead(404).end('not found');
      return;
    }
    let body = answer.body;
    if (fault?.kind === 'truncate') body = body.subarray(0, Math.floor(body.length / 2));
    if (fault?.kind === 'caiso-no-data') body = caisoNoDataZip();
    if (fault?.kind === 'drop-last-lines') body = bytes(text(body).trimEnd().split('\n').slice(0, -fault.lines).join('\n') + '\n');
    this.requests.push({ path, status: answer.status });
    res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/octet-stream', 'content-length': String(body.length) });
    res.end(body);
  }
}
