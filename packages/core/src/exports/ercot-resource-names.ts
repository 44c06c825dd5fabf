/**
 * The ERCOT registration names an asset's offers are exported under: the battery's own
 * `resource_name` / `load_resource_name` parameters when given, otherwise names derived
 * from the asset's name so an export is possible before the names are entered (they must
 * be replaced by the registered names before a real submission).
 */

/** At most 32 characters of `[A-Z0-9_]`: the asset name upper-cased, other characters folded to `_`. */
export function ercotDerivedResourceName(assetName: string): string {
  const base = assetName.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 28);
  return base.length > 0 ? base : 'OPTIBID_ESR';
}

export interface ErcotResourceNames {
  resource: string;
  load_resource: string;
  /** True when the resource name came from the asset's name rather than its parameters. */
  derived: boolean;
  /** The same for the load resource name (used before RTC+B only). */
  load_derived: boolean;
}

export function ercotResourceNamesOf(asset: { name: string; params: { resource_name?: unknown; load_resource_name?: unknown } }): ErcotResourceNames {
  const given = typeof asset.params.resource_name === 'string' && asset.params.resource_name.length > 0 ? asset.params.resource_name : null;
  const givenLoad = typeof asset.params.load_resource_name === 'string' && asset.params.load_resource_name.length > 0 ? asset.params.load_resource_name : null;
  const resource = given ?? ercotDerivedResourceName(asset.name);
  return { resource, load_resource: givenLoad ?? `${resource}_CLR`.slice(0, 32), derived: given === null, load_derived: givenLoad === null };
}
