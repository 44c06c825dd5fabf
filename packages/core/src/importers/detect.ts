import { splitCsvLine, textLines } from './csv.js';
import type { PriceFormatId } from './types.js';

export interface PriceFormatInfo {
  id: PriceFormatId;
  description: string;
}

/** What we read, for error messages, `--help` and the API. */
export const SUPPORTED_FORMATS: readonly PriceFormatInfo[] = [
  { id: 'caiso_oasis_lmp', description: 'CAISO OASIS PRC_LMP (DAM), PRC_INTVL_LMP (RTM 5-min), PRC_RTPD_LMP (15-min) CSV, also the OASIS zip' },
  { id: 'ercot_dam_spp', description: 'ERCOT DAM settlement point prices NP4-190-CD daily CSV (DeliveryDate, HourEnding, SettlementPoint, SettlementPointPrice, DSTFlag)' },
  { id: 'ercot_dam_spp_yearly', description: 'ERCOT NP4-180-ER yearly DAM hub/load-zone prices: the zip, its XLSX workbook (one sheet per month) or the same columns as CSV' },
  { id: 'ercot_rt_spp', description: 'ERCOT RT settlement point prices NP6-905-CD CSV (DeliveryDate, DeliveryHour, DeliveryInterval, …, DSTFlag)' },
  { id: 'pjm_hrl_lmps', description: 'PJM Data Miner 2 da_hrl_lmps / rt_hrl_lmps (/ rt_fivemin_hrl_lmps) CSV export' },
  { id: 'nyiso_lbmp_zone', description: 'NYISO damlbmp_zone / rtlbmp_zone CSV (Time Stamp, Name, PTID, LBMP, losses, congestion)' },
  { id: 'miso_expost_lmp', description: 'MISO da_expost_lmp (and da_exante_lmp, rt_lmp_final) wide CSV, HE 1..HE 24 in EST' },
  { id: 'spp_lmp_sl', description: 'SPP DA-LMP-SL / RTBM-LMP-SL settlement location CSV (Interval, GMTIntervalEnd, Settlement Location, Pnode, LMP, MLC, MCC, MEC; the daily RTBM-LMP-DAILY-SL: GMT Interval, Settlement Location Name, PNODE Name)' },
  { id: 'isone_hourly_lmp', description: 'ISO-NE WW_DALMP_ISO hourly LMP report (C/H/D/T records, hour ending, 02X repeated hour)' },
  { id: 'eia_wholesale_lmp', description: 'EIA Wholesale Electricity Market Data LMP files (3 title lines, per-location LMP/Congestion/Energy/Loss columns)' },
  { id: 'epftoolbox', description: 'epftoolbox benchmark CSV (Date, price, exogenous columns); needs market and location' },
  { id: 'gridstatus_lmp', description: 'tidy CSV with gridstatus LMP columns (interval_start_utc, …, lmp, energy, congestion, loss, or Interval Start, …, LMP)' },
];

export function describeSupportedFormats(): string {
  return SUPPORTED_FORMATS.map((f) => `${f.id} (${f.description})`).join('; ');
}

/** Decides the format of a decompressed text file from its first lines; the name is a hint only. */
export function detectFormatFromText(text: string, _filename?: string): PriceFormatId | undefined {
  const head = textLines(text.slice(0, 16_384)).slice(0, 12);
  const first = head[0] ?? '';
  const firstFields = splitCsvLine(first).map((s) => s.trim());
  if (firstFields[0] === 'C' && head.some((l) => /^"?H"?,/.test(l))) return 'isone_hourly_lmp';
  if (head.some((l) => /^"?Node"?,"?Type"?,"?Value"?,"?HE ?1"?/i.test(l))) return 'miso_expost_lmp';
  if (head.some((l) => /^"?UTC Timestamp \(Interval Ending\)/.test(l)) && /Source: EIA|Locational Marginal Prices/i.test(head.join('\n'))) {
    return 'eia_wholesale_lmp';
  }
  const h = new Set(firstFields.map((s) => s.toLowerCase()));
  const has = (...names: string[]) => names.every((n) => h.has(n.toLowerCase()));
  if (has('INTERVALSTARTTIME_GMT', 'LMP_TYPE')) return 'caiso_oasis_lmp';
  if (has('DeliveryDate', 'HourEnding', 'SettlementPoint', 'SettlementPointPrice')) return 'ercot_dam_spp';
  if (has('Delivery Date', 'Hour Ending', 'Settlement Point', 'Settlement Point Price')) return 'ercot_dam_spp_yearly';
  if (has('DeliveryDate', 'DeliveryHour', 'DeliveryInterval', 'SettlementPointPrice')) return 'ercot_rt_spp';
  if (has('datetime_beginning_utc', 'pnode_id')) return 'pjm_hrl_lmps';
  if (has('Time Stamp', 'Name', 'LBMP ($/MWHr)')) return 'nyiso_lbmp_zone';
  if (has('GMTIntervalEnd', 'Settlement Location', 'LMP') || has('GMT Interval', 'Settlement Location Name', 'LMP')) return 'spp_lmp_sl';
  if ((has('interval_start_utc') || has('Interval Start')) && has('location') && (has('lmp') || has('spp'))) return 'gridstatus_lmp';
  const second = splitCsvLine(head[1] ?? '');
  if (
    firstFields.length >= 2 &&
    (firstFields[0] === '' || firstFields[0]!.toLowerCase() === 'date') &&
    /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test((second[0] ?? '').trim()) &&
    Number.isFinite(Number(second[1]))
  ) {
    return 'epftoolbox';
  }
  return undefined;
}
