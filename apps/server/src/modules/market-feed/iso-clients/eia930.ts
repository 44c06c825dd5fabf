/**
 * Day-ahead load forecasts for every ISO from the EIA-930 release cleaned by Ruggles &
 * Farnham (CC BY 4.0): one file per balancing authority holding 2015-07 – 2020-07. The ISOs'
 * own load-forecast reports use formats we have no real file of yet, so this is the source.
 */
import { EIA930_BA_TO_ISO, type IsoId } from '@optibid/core';
import type { ClientConfig, PlannedDownload } from './types.js';

export function eia930Plan(config: ClientConfig, iso: IsoId, days: string[]): PlannedDownload[] {
  const ba = Object.entries(EIA930_BA_TO_ISO).find(([, i]) => i === iso)![0];
  const url = `${config.baseUrls.EIA930}/data/release_2020_Oct/balancing_authorities/${ba}.csv`;
  return days.length ? [{ request: { url, safeUrl: url }, name: `${ba}.csv`, days, kind: 'load-forecast' }] : [];
}
