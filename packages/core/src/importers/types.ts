import type { IsoId, PriceRun } from '../markets/types.js';

/** One price interval as every importer emits it. Instants are UTC `Date`s; prices USD/MWh. */
export interface NormalizedPriceRow {
  market: IsoId;
  /** Catalogue id where the location is known (aliases resolved), else the ISO's own name. */
  location: string;
  run: PriceRun;
  interval_start: Date;
  interval_end: Date;
  lmp_usd_per_mwh: number;
  energy_usd_per_mwh: number | null;
  /** Sign convention: LMP = energy + congestion + loss (NYISO's published sign is flipped). */
  congestion_usd_per_mwh: number | null;
  loss_usd_per_mwh: number | null;
  /** Format id plus file name, e.g. `pjm_hrl_lmps:da_hrl_lmps.csv`. */
  source: string;
}

export interface PriceRejection {
  /** 1-based line in the (decompressed) file; for XLSX the sheet row, with `sheet` set. */
  line: number;
  reason: string;
  sheet?: string;
}

export const PRICE_FORMAT_IDS = [
  'caiso_oasis_lmp',
  'ercot_dam_spp',
  'ercot_dam_spp_yearly',
  'ercot_rt_spp',
  'pjm_hrl_lmps',
  'nyiso_lbmp_zone',
  'miso_expost_lmp',
  'spp_lmp_sl',
  'isone_hourly_lmp',
  'eia_wholesale_lmp',
  'epftoolbox',
  'gridstatus_lmp',
] as const;
export type PriceFormatId = (typeof PRICE_FORMAT_IDS)[number];

export interface PriceParseResult {
  format: PriceFormatId;
  /** File name (for a member of an archive: `archive.zip/member.csv`). */
  file: string;
  rows: NormalizedPriceRow[];
  rejections: PriceRejection[];
}

export interface PriceParseOptions {
  /** Skip detection and use this format. */
  format?: PriceFormatId;
  /** Market for formats that do not say (epftoolbox, a gridstatus file without hints). */
  market?: IsoId;
  /** Location for single-series formats (epftoolbox). */
  location?: string;
  /** Run override when the file does not say which run it holds. */
  run?: PriceRun;
}

/** A parser gets the decompressed text and the file name (used for hints only). */
export type TextPriceParser = (text: string, file: string, opts: PriceParseOptions) => Omit<PriceParseResult, 'file'>;
