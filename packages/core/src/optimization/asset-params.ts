/**
 * Physical and economic parameters of the assets the optimiser schedules.
 * Plain data, snake_case with units; core/assets validates the same shapes.
 */

export interface BatteryParams {
  charge_power_mw: number;
  discharge_power_mw: number;
  /** Nameplate energy; one cycle = this much energy discharged. */
  energy_mwh: number;
  /** Stored energy per MWh drawn from the grid (0 < η ≤ 1). */
  charge_efficiency: number;
  /** Energy delivered to the grid per MWh taken from storage (0 < η ≤ 1). */
  discharge_efficiency: number;
  soc_min_mwh: number;
  soc_max_mwh: number;
  soc_initial_mwh: number;
  /** Cost per MWh discharged to the grid (wear). */
  degradation_cost_usd_per_mwh: number;
  /** Cap on discharged energy per day in cycles (× energy_mwh); null/undefined = no cap. */
  max_cycles_per_day?: number | null;
}

export interface ThermalCostSegment {
  /** Width of the block of output, MW (blocks stack from 0 MW upward). */
  mw: number;
  /** Marginal cost of output inside this block. Blocks must be ascending. */
  price_usd_per_mwh: number;
}

export interface ThermalInitialState {
  on: boolean;
  /** Hours the unit has been in its current state (for min up/down carry-over). */
  hours_in_state: number;
  /** Output in the interval before the horizon (ramp reference). */
  output_mw: number;
}

export interface ThermalParams {
  pmin_mw: number;
  pmax_mw: number;
  cost_segments: ThermalCostSegment[];
  startup_cost_usd: number;
  min_up_h: number;
  min_down_h: number;
  /** Ramp limit up and down; null/undefined = unlimited. */
  ramp_mw_per_h?: number | null;
  /** Default: off for a long time, output 0. */
  initial_state?: ThermalInitialState;
}

export interface RenewableParams {
  capacity_mw: number;
  /** Available output per interval (forecast or actual), MW. */
  profile_mw: number[];
  curtailable: boolean;
  /** Credits lost per MWh curtailed (PTC, RECs): curtailing pays when price < −this. */
  curtailment_loss_usd_per_mwh: number;
}

export interface DemandResponseParams {
  max_reduction_mw: number;
  /** Reduce only when the price beats this (the customer's value of the energy). */
  strike_usd_per_mwh: number;
  max_hours_per_day: number;
}
