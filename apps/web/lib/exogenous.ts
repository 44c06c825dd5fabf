/** How a forecast's exogenous inputs (ExogenousSeriesView) read on screen. */
export interface ExogenousLike {
  series: string;
  market: string;
  area: string;
}

/** "with the ERCOT load forecast (ERCO)", or "on prices alone". */
export function exogenousLabel(x: readonly ExogenousLike[]): string {
  return x.length ? `with the ${x.map((e) => `${e.market} load forecast (${e.area})`).join(', ')}` : 'on prices alone';
}

/** Short form for a table cell: "prices + ERCOT load forecast (ERCO)" or "prices only". */
export function inputsLabel(x: readonly ExogenousLike[]): string {
  return x.length ? `prices + ${x.map((e) => `${e.market} load forecast (${e.area})`).join(', ')}` : 'prices only';
}
