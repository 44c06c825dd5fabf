/**
 * Asset types and their parameters. Field names match the optimisation area's
 * parameter interfaces (snake_case with units) so the server can map one to the
 * other field by field; this area does not import from optimisation.
 */
import type { IsoId } from '../markets/types.js';

export const ASSET_TYPES = ['battery', 'thermal', 'solar', 'wind', 'demand_response', 'load'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

export interface BatteryAssetParams {
  charge_power_mw: number;
  discharge_power_mw: number;
  energy_mwh: number;
  /** η_c in (0, 1]; energy stored = η_c × energy drawn from the grid. */
  charge_efficiency: number;
  /** η_d in (0, 1]; energy delivered = η_d × energy taken from storage. */
  discharge_efficiency: number;
  /**
   * Optional input only: if given instead of the two efficiencies, it is split
   * evenly as η_c = η_d = √η_rt by `normalizeAssetParams`.
   */
  round_trip_efficiency?: number;
  soc_min_mwh: number;
  soc_max_mwh: number;
  soc_initial_mwh: number;
  /** Cost per MWh of throughput (discharged energy), e.g. cell degradation. */
  degradation_cost_usd_per_mwh: number;
  /** Full-equivalent cycles allowed per day (discharged MWh / energy_mwh); omit for no limit. */
  max_cycles_per_day?: number | null;
  /**
   * ERCOT registration names for offer export (see `ercotResourceNamesOf`): the resource
   * (ESR from RTC+B, generation resource before) and, before RTC+B, the controllable load
   * resource. Omitted: derived from the asset's name.
   */
  resource_name?: string;
  load_resource_name?: string;
}

/** One step of a marginal cost curve: `mw` is the width of the step. */
export interface CostSegment {
  mw: number;
  price_usd_per_mwh: number;
}

/** One step of a heat-rate curve: `mw` is the width of the step. */
export interface HeatRateSegment {
  mw: number;
  heat_rate_mmbtu_per_mwh: number;
}

export interface ThermalAssetParams {
  pmin_mw: number;
  pmax_mw: number;
  /** Incremental cost steps above zero output, ascending in price, widths summing to pmax_mw. */
  cost_segments: CostSegment[];
  /** Alternative input: heat-rate steps × fuel price, converted to `cost_segments`. */
  heat_rate_segments?: HeatRateSegment[];
  fuel_price_usd_per_mmbtu?: number;
  startup_cost_usd: number;
  min_up_h: number;
  min_down_h: number;
  /** Ramp limit up and down; omitted or null = unlimited. */
  ramp_mw_per_h?: number | null;
}

/** Solar and wind share these parameters. */
export interface RenewableAssetParams {
  capacity_mw: number;
  /** Generation forecast: 24 hourly values or one per interval; 0 ≤ value ≤ capacity. */
  profile_mw: number[];
  curtailable: boolean;
  /** Value lost per MWh curtailed (e.g. renewable credits). */
  curtailment_loss_usd_per_mwh: number;
}

export interface DemandResponseAssetParams {
  max_reduction_mw: number;
  strike_usd_per_mwh: number;
  max_hours_per_day: number;
}

export interface LoadAssetParams {
  /** Consumption forecast, positive MW (bids for it are negative MW). */
  profile_mw: number[];
}

export interface AssetParamsByType {
  battery: BatteryAssetParams;
  thermal: ThermalAssetParams;
  solar: RenewableAssetParams;
  wind: RenewableAssetParams;
  demand_response: DemandResponseAssetParams;
  load: LoadAssetParams;
}

export type AssetParams = AssetParamsByType[AssetType];

/** A type together with its parameters, correlated (narrowing on `type` narrows `params`). */
export type AssetSpec = {
  [T in AssetType]: { type: T; params: AssetParamsByType[T] };
}[AssetType];

/** An asset as the domain sees it; persistence fields (timestamps, versions) belong to the server. */
export type Asset = {
  [T in AssetType]: {
    id: string;
    organisation_id: string;
    name: string;
    iso: IsoId;
    location_id: string;
    type: T;
    params: AssetParamsByType[T];
  };
}[AssetType];

/** A problem with one parameter. `field` is a dotted path such as `cost_segments.2.price_usd_per_mwh`. */
export interface AssetParamIssue {
  field: string;
  message: string;
}

/** Range of net MW an asset can bid: supply positive, consumption negative. */
export interface AssetBidLimits {
  min_mw: number;
  max_mw: number;
}
