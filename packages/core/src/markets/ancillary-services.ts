/**
 * Ancillary-service products per ISO, for storage: which products a battery
 * can sell, how much energy it must hold per MW awarded (the ISO's duration
 * rule, versioned by the date it took effect), the offer cap, and whether
 * up and down products can be carried in the same interval.
 *
 * `duration_rules` is the energy a storage resource must be able to sustain
 * per MW of award: `hours` × MW, held in storage for an upward product and as
 * headroom for a downward one. A product with no rule in force on a day has
 * no duration requirement that day (the ISO then only checks capacity).
 * Figures our research could not verify in the ISO's own documents are listed
 * per market in `unverified`, by field path, as the energy catalogue does.
 */
import type { IsoId } from './types.js';

export type AncillaryDirection = 'up' | 'down';
export type AncillaryKind = 'regulation' | 'spinning' | 'non_spinning' | 'contingency' | 'supplemental' | 'short_term';

export interface DurationRule {
  /** First operating day (YYYY-MM-DD, market-local) the rule applies to. */
  effective_from: string;
  /** Energy to hold per MW awarded, MWh/MW. */
  hours: number;
  source: string;
}

export interface AncillaryProduct {
  /** The ISO's own name, as in its price files (trimmed): `REGUP`, `RRS`, `RegUP`, `Spin` … */
  id: string;
  name: string;
  kind: AncillaryKind;
  direction: AncillaryDirection;
  /** First operating day the product clears (YYYY-MM-DD); undefined: before any data we hold. */
  effective_from?: string;
  duration_rules: DurationRule[];
  /** Highest capacity offer accepted, $/MW per hour; null when none is documented. */
  offer_cap_usd_per_mw: number | null;
  /**
   * Expected energy deployed per MW of award per hour, as a fraction (regulation
   * only; 0 for reserves, rarely deployed). Used by the `default` co-optimisation.
   */
  expected_deployment_fraction: number;
}

/** A dated change to how the ISO clears storage with its ancillary services. */
export interface StorageMarketRule {
  effective_from: string;
  rule: string;
  source: string;
}

export interface AncillaryMarket {
  iso: IsoId;
  products: AncillaryProduct[];
  /** Whether one resource may carry an up and a down product in the same interval. */
  up_and_down_together: boolean;
  storage_rules: StorageMarketRule[];
  unverified: string[];
  sources: string[];
}

const NPRR1096 = 'ERCOT NPRR1096 (ECRS 2 h, Non-Spin 4 h for ESRs; Non-Spin part in the December 2022 release, ECRS with its launch), ercot.com/mktrules/issues/NPRR1096';
const NPRR1282 = 'ERCOT NPRR1282 "Ancillary Service Duration under Real-Time Co-Optimization" (Regulation and RRS 30 min, ECRS 1 h) and NPRR1339 (as-built ECRS 1 h), with RTC+B from 2025-12-05';
const REG_DEPLOY = 0.1;

const product = (p: Omit<AncillaryProduct, 'expected_deployment_fraction'> & { expected_deployment_fraction?: number }): AncillaryProduct => ({
  expected_deployment_fraction: p.kind === 'regulation' ? REG_DEPLOY : 0,
  ...p,
});

export const ANCILLARY_SERVICES: Record<IsoId, AncillaryMarket> = {
  ERCOT: {
    iso: 'ERCOT',
    products: [
      product({ id: 'REGUP', name: 'Regulation Up', kind: 'regulation', direction: 'up', duration_rules: [{ effective_from: '2025-12-05', hours: 0.5, source: NPRR1282 }], offer_cap_usd_per_mw: 5000 }),
      product({ id: 'REGDN', name: 'Regulation Down', kind: 'regulation', direction: 'down', duration_rules: [{ effective_from: '2025-12-05', hours: 0.5, source: NPRR1282 }], offer_cap_usd_per_mw: 5000 }),
      product({ id: 'RRS', name: 'Responsive Reserve', kind: 'spinning', direction: 'up', duration_rules: [{ effective_from: '2025-12-05', hours: 0.5, source: NPRR1282 }], offer_cap_usd_per_mw: 5000 }),
      product({
        id: 'NSPIN',
        name: 'Non-Spinning Reserve',
        kind: 'non_spinning',
        direction: 'up',
        duration_rules: [{ effective_from: '2022-12-08', hours: 4, source: NPRR1096 }],
        offer_cap_usd_per_mw: 5000,
      }),
      product({
        id: 'ECRS',
        name: 'ERCOT Contingency Reserve Service',
        kind: 'contingency',
        direction: 'up',
        effective_from: '2023-06-10',
        duration_rules: [
          { effective_from: '2023-06-10', hours: 2, source: NPRR1096 },
          { effective_from: '2025-12-05', hours: 1, source: NPRR1282 },
        ],
        offer_cap_usd_per_mw: 5000,
      }),
    ],
    up_and_down_together: true,
    storage_rules: [
      { effective_from: '2025-12-05', rule: 'RTC+B: one energy-storage-resource model with a combined energy bid-offer curve; ancillary services co-optimised with energy in real time; state of charge enforced in RUC and SCED', source: 'ERCOT RTC+B go-live 2025-12-05 (ERCOT market notices and NPRR1282/NPRR1339)' },
    ],
    unverified: [
      'products[*].offer_cap_usd_per_mw (the system-wide offer cap, $5,000 since 2022; $9,000 in 2015)',
      'products[REGUP,REGDN,RRS].duration_rules before 2025-12-05 (no ESR duration rule found; NPRR1186 SoC accounting from 2024 not encoded)',
      'products[NSPIN].duration_rules[0].effective_from (the release window of 2022-12-06..08)',
      'products[*].expected_deployment_fraction',
    ],
    sources: [NPRR1096, NPRR1282, 'ERCOT NP4-181-ER DAM ancillary-service clearing prices (REGDN, REGUP, RRS, NSPIN; ECRS from 2023-06-10)'],
  },
  CAISO: {
    iso: 'CAISO',
    products: [
      product({ id: 'RU', name: 'Regulation Up', kind: 'regulation', direction: 'up', duration_rules: [{ effective_from: '2012-01-01', hours: 1, source: 'CAISO tariff §8.4.3: 60 minutes of regulation energy in the day-ahead market (15 min under Regulation Energy Management in real time)' }], offer_cap_usd_per_mw: 250 }),
      product({ id: 'RD', name: 'Regulation Down', kind: 'regulation', direction: 'down', duration_rules: [{ effective_from: '2012-01-01', hours: 1, source: 'CAISO tariff §8.4.3' }], offer_cap_usd_per_mw: 250 }),
      product({ id: 'SR', name: 'Spinning Reserve', kind: 'spinning', direction: 'up', duration_rules: [{ effective_from: '2012-01-01', hours: 0.5, source: 'CAISO tariff §8.4.3: spinning and non-spinning reserve sustained for 30 minutes' }], offer_cap_usd_per_mw: 250 }),
      product({ id: 'NR', name: 'Non-Spinning Reserve', kind: 'non_spinning', direction: 'up', duration_rules: [{ effective_from: '2012-01-01', hours: 0.5, source: 'CAISO tariff §8.4.3' }], offer_cap_usd_per_mw: 250 }),
    ],
    up_and_down_together: true,
    storage_rules: [{ effective_from: '2012-01-01', rule: 'Non-generator resources (NGR): the day-ahead and real-time markets enforce the state of charge across the horizon', source: 'CAISO BPM for Market Operations, NGR model' }],
    unverified: ['products[*].duration_rules[0].effective_from (the NGR model date; the tariff section number)', 'products[*].offer_cap_usd_per_mw ($250/MW AS bid cap)', 'products[*].expected_deployment_fraction'],
    sources: ['CAISO tariff §8 (Ancillary Services)', 'CAISO BPM for Market Operations'],
  },
  PJM: {
    iso: 'PJM',
    products: [
      product({ id: 'REG', name: 'Regulation (RegD for fast resources)', kind: 'regulation', direction: 'up', duration_rules: [], offer_cap_usd_per_mw: 100 }),
      product({ id: 'SR', name: 'Synchronized Reserve', kind: 'spinning', direction: 'up', duration_rules: [], offer_cap_usd_per_mw: null }),
      product({ id: 'NSR', name: 'Non-Synchronized Reserve', kind: 'non_spinning', direction: 'up', duration_rules: [], offer_cap_usd_per_mw: null }),
    ],
    // PJM regulation is one symmetric product: a MW of regulation is both up and down.
    up_and_down_together: true,
    storage_rules: [],
    unverified: ['products[REG].offer_cap_usd_per_mw ($100/MW capability offer cap)', 'products[*].duration_rules (none encoded)', 'products[*].expected_deployment_fraction'],
    sources: ['PJM Manual 11 (Energy & Ancillary Services Market Operations) §3–4'],
  },
  NYISO: {
    iso: 'NYISO',
    products: [
      product({ id: 'REG', name: 'Regulation', kind: 'regulation', direction: 'up', duration_rules: [], offer_cap_usd_per_mw: null }),
      product({ id: 'SPIN10', name: '10-Minute Spinning Reserve', kind: 'spinning', direction: 'up', duration_rules: [{ effective_from: '2022-09-01', hours: 1, source: 'NYISO ESR participation model (energy-limited resources sustain reserves for 1 hour)' }], offer_cap_usd_per_mw: null }),
      product({ id: 'NSPIN10', name: '10-Minute Non-Synchronized Reserve', kind: 'non_spinning', direction: 'up', duration_rules: [{ effective_from: '2022-09-01', hours: 1, source: 'NYISO ESR participation model' }], offer_cap_usd_per_mw: null }),
      product({ id: 'RES30', name: '30-Minute Reserve', kind: 'supplemental', direction: 'up', duration_rules: [{ effective_from: '2022-09-01', hours: 1, source: 'NYISO ESR participation model' }], offer_cap_usd_per_mw: null }),
    ],
    up_and_down_together: true,
    storage_rules: [],
    unverified: ['products[*].duration_rules', 'products[*].offer_cap_usd_per_mw', 'products[*].expected_deployment_fraction'],
    sources: ['NYISO Ancillary Services Manual', 'NYISO energy storage resource model filings (FERC, ESR participation model)'],
  },
  MISO: {
    iso: 'MISO',
    products: [
      product({ id: 'REG', name: 'Regulating Reserve', kind: 'regulation', direction: 'up', duration_rules: [], offer_cap_usd_per_mw: null }),
      product({ id: 'SPIN', name: 'Spinning Reserve', kind: 'spinning', direction: 'up', duration_rules: [], offer_cap_usd_per_mw: null }),
      product({ id: 'SUPP', name: 'Supplemental Reserve', kind: 'supplemental', direction: 'up', duration_rules: [], offer_cap_usd_per_mw: null }),
      product({ id: 'STR', name: 'Short-Term Reserve (30-minute)', kind: 'short_term', direction: 'up', effective_from: '2021-12-07', duration_rules: [], offer_cap_usd_per_mw: null }),
    ],
    // Regulating reserve is symmetric in MISO: one award covers up and down.
    up_and_down_together: true,
    storage_rules: [],
    unverified: ['products[*].duration_rules (none encoded)', 'products[*].offer_cap_usd_per_mw', 'products[STR].effective_from (planned 2021-12-07; MISO later waived to 2022)', 'products[*].expected_deployment_fraction'],
    sources: ['MISO Short-Term Reserve (STR) filing, misomatters.org 2019-10; adapt2client.com/post/miso-short-term-reserve', 'MISO BPM-002 Energy and Operating Reserve Markets'],
  },
  SPP: {
    iso: 'SPP',
    products: [
      product({ id: 'RegUP', name: 'Regulation Up', kind: 'regulation', direction: 'up', duration_rules: [], offer_cap_usd_per_mw: null }),
      product({ id: 'RegDN', name: 'Regulation Down', kind: 'regulation', direction: 'down', duration_rules: [], offer_cap_usd_per_mw: null }),
      product({ id: 'Spin', name: 'Spinning Reserve', kind: 'spinning', direction: 'up', duration_rules: [], offer_cap_usd_per_mw: null }),
      product({ id: 'Supp', name: 'Supplemental Reserve', kind: 'supplemental', direction: 'up', duration_rules: [], offer_cap_usd_per_mw: null }),
    ],
    up_and_down_together: true,
    storage_rules: [],
    unverified: ['products[*].duration_rules (none encoded)', 'products[*].offer_cap_usd_per_mw', 'products[*].expected_deployment_fraction'],
    sources: ['SPP Integrated Marketplace DA-MCP files (RegUP, RegDN, Spin, Supp per reserve zone)'],
  },
  ISONE: {
    iso: 'ISONE',
    // Day-ahead ancillary services (2025) not encoded: we found no ISO-NE document to verify them against.
    products: [],
    up_and_down_together: false,
    storage_rules: [],
    unverified: ['products (ISO-NE day-ahead ancillary services: not verified, none encoded)'],
    sources: [],
  },
};

export function getAncillaryMarket(iso: IsoId): AncillaryMarket {
  return ANCILLARY_SERVICES[iso];
}

/** The duration (MWh held per MW) in force on `date` (YYYY-MM-DD), or null when none. */
export function durationHoursOn(p: AncillaryProduct, date: string): number | null {
  let hours: number | null = null;
  for (const r of p.duration_rules) if (r.effective_from <= date) hours = r.hours;
  return hours;
}

/** Products that clear on `date` (effective_from unset or ≤ date). */
export function ancillaryProductsOn(iso: IsoId, date: string): AncillaryProduct[] {
  return ANCILLARY_SERVICES[iso].products.filter((p) => !p.effective_from || p.effective_from <= date);
}
