import type { IsoId, MarketLocation } from './types.js';

/**
 * Hubs and zones per ISO with the ISO's own identifiers. Aliases are the spellings other
 * publishers use: the EIA wholesale-market files (`<name> LMP` columns) and gridstatus.
 * Sources: PJM pnode ids from the Data Miner 2 `da_hrl_lmps` export (pnode_id column);
 * NYISO PTIDs from the `damlbmp_zone` files; ERCOT, CAISO, MISO, SPP and ISO-NE names from
 * the ISOs' files and gridstatus (domain.md §1b).
 */

function hub(id: string, name: string, iso_node_id?: string, aliases: string[] = []): MarketLocation {
  return { id, name, type: 'hub', ...(iso_node_id ? { iso_node_id } : {}), aliases };
}

function zone(id: string, name: string, iso_node_id?: string, aliases: string[] = []): MarketLocation {
  return { id, name, type: 'zone', ...(iso_node_id ? { iso_node_id } : {}), aliases };
}

function loadZone(id: string, name: string, iso_node_id?: string, aliases: string[] = []): MarketLocation {
  return { id, name, type: 'load_zone', ...(iso_node_id ? { iso_node_id } : {}), aliases };
}

function iface(id: string, name: string, iso_node_id?: string, aliases: string[] = []): MarketLocation {
  return { id, name, type: 'interface', ...(iso_node_id ? { iso_node_id } : {}), aliases };
}

export const DEFAULT_LOCATIONS: Record<IsoId, MarketLocation[]> = {
  PJM: [
    hub('WESTERN HUB', 'Western Hub', '51288', ['Western Hub']),
    hub('EASTERN HUB', 'Eastern Hub', '51217', ['Eastern Hub']),
    hub('WEST INT HUB', 'West Interface Hub', '51287'),
    hub('AEP GEN HUB', 'AEP Generation Hub', '34497125'),
    hub('AEP-DAYTON HUB', 'AEP-Dayton Hub', '34497127', ['American Electric Power Co., Inc - Dayton', 'AEP DAYTON HUB']),
    hub('ATSI GEN HUB', 'ATSI Generation Hub', '116013751'),
    hub('CHICAGO GEN HUB', 'Chicago Generation Hub', '33092311'),
    hub('CHICAGO HUB', 'Chicago Hub', '33092313', ['Chicago Hub']),
    hub('N ILLINOIS HUB', 'Northern Illinois Hub', '33092315', ['North Illinois Hub', 'Northern Illinois Hub']),
    hub('OHIO HUB', 'Ohio Hub', '34497151', ['Ohio Hub']),
    hub('DOMINION HUB', 'Dominion Hub', '35010337', ['Dominion Hub']),
    hub('NEW JERSEY HUB', 'New Jersey Hub', '4669664', ['New Jersey Hub']),
    zone('PJM-RTO', 'PJM RTO', '1', ['PJM RTO']),
  ],
  CAISO: [
    hub('TH_NP15_GEN-APND', 'NP15 Trading Hub', undefined, ['NP-15', 'NP15', 'TH_NP15']),
    hub('TH_SP15_GEN-APND', 'SP15 Trading Hub', undefined, ['SP-15', 'SP15', 'TH_SP15']),
    hub('TH_ZP26_GEN-APND', 'ZP26 Trading Hub', undefined, ['ZP-26', 'ZP26', 'TH_ZP26']),
    loadZone('DLAP_PGAE-APND', 'PG&E Default LAP', undefined, ['DLAP_PGAE']),
    loadZone('DLAP_SCE-APND', 'SCE Default LAP', undefined, ['DLAP_SCE']),
    loadZone('DLAP_SDGE-APND', 'SDG&E Default LAP', undefined, ['DLAP_SDGE']),
    loadZone('DLAP_VEA-APND', 'VEA Default LAP', undefined, ['DLAP_VEA']),
  ],
  ERCOT: [
    hub('HB_HOUSTON', 'Houston Hub', undefined, ['Houston']),
    hub('HB_NORTH', 'North Hub', undefined, ['North']),
    hub('HB_SOUTH', 'South Hub', undefined, ['South']),
    hub('HB_WEST', 'West Hub', undefined, ['West']),
    hub('HB_PAN', 'Panhandle Hub', undefined, ['Panhandle']),
    hub('HB_BUSAVG', 'Hub Bus Average', undefined, ['Bus average']),
    hub('HB_HUBAVG', 'Hub Average', undefined, ['Hub average']),
    loadZone('LZ_HOUSTON', 'Houston Load Zone'),
    loadZone('LZ_NORTH', 'North Load Zone'),
    loadZone('LZ_SOUTH', 'South Load Zone'),
    loadZone('LZ_WEST', 'West Load Zone'),
    loadZone('LZ_AEN', 'Austin Energy Load Zone'),
    loadZone('LZ_CPS', 'CPS Energy Load Zone'),
    loadZone('LZ_LCRA', 'LCRA Load Zone'),
    loadZone('LZ_RAYBN', 'Rayburn Load Zone'),
  ],
  NYISO: [
    zone('WEST', 'Zone A - West', '61752', ['A - West', 'A']),
    zone('GENESE', 'Zone B - Genesee', '61753', ['B - Genessee', 'B - Genesee', 'B']),
    zone('CENTRL', 'Zone C - Central', '61754', ['C - Central', 'C']),
    zone('NORTH', 'Zone D - North', '61755', ['D - North', 'D']),
    zone('MHK VL', 'Zone E - Mohawk Valley', '61756', ['E - Mohawk Valley', 'E']),
    zone('CAPITL', 'Zone F - Capital', '61757', ['F - Capital', 'F']),
    zone('HUD VL', 'Zone G - Hudson Valley', '61758', ['G - Hudson Valley', 'G']),
    zone('MILLWD', 'Zone H - Millwood', '61759', ['H - Millwood', 'H']),
    zone('DUNWOD', 'Zone I - Dunwoodie', '61760', ['I - Dunwoodie', 'I']),
    zone('N.Y.C.', 'Zone J - New York City', '61761', ['J - New York City', 'J', 'NYC']),
    zone('LONGIL', 'Zone K - Long Island', '61762', ['K - Long Island', 'K']),
    iface('H Q', 'Hydro-Québec proxy', '61844'),
    iface('NPX', 'ISO-NE proxy', '61845'),
    iface('O H', 'Ontario proxy', '61846'),
    iface('PJM', 'PJM proxy', '61847'),
  ],
  MISO: [
    hub('INDIANA.HUB', 'Indiana Hub', undefined, ['Indiana Hub']),
    hub('ILLINOIS.HUB', 'Illinois Hub', undefined, ['Illinois Hub']),
    hub('MICHIGAN.HUB', 'Michigan Hub', undefined, ['Michigan Hub']),
    hub('MINN.HUB', 'Minnesota Hub', undefined, ['Minnesota Hub']),
    hub('ARKANSAS.HUB', 'Arkansas Hub', undefined, ['Arkansas Hub']),
    hub('LOUISIANA.HUB', 'Louisiana Hub', undefined, ['Louisiana Hub']),
    hub('MS.HUB', 'Mississippi Hub', undefined, ['Mississippi Hub']),
    hub('TEXAS.HUB', 'Texas Hub', undefined, ['Texas Hub']),
  ],
  SPP: [
    hub('SPPNORTH_HUB', 'SPP North Hub', 'SPPNORTH_H', ['North Hub']),
    hub('SPPSOUTH_HUB', 'SPP South Hub', 'SPPSOUTH_H', ['South Hub']),
  ],
  ISONE: [
    hub('.H.INTERNAL_HUB', 'Internal Hub', '4000', ['Internal Hub', 'INTERNAL_HUB']),
    loadZone('.Z.MAINE', 'Maine', '4001', ['MAINE', 'ME']),
    loadZone('.Z.NEWHAMPSHIRE', 'New Hampshire', '4002', ['NEWHAMPSHIRE', 'NH']),
    loadZone('.Z.VERMONT', 'Vermont', '4003', ['VERMONT', 'VT']),
    loadZone('.Z.CONNECTICUT', 'Connecticut', '4004', ['CONNECTICUT', 'CT']),
    loadZone('.Z.RHODEISLAND', 'Rhode Island', '4005', ['RHODEISLAND', 'RI']),
    loadZone('.Z.SEMASS', 'Southeast Massachusetts', '4006', ['SEMASS', 'SEMA']),
    loadZone('.Z.WCMASS', 'West/Central Massachusetts', '4007', ['WCMASS', 'WCMA']),
    loadZone('.Z.NEMASSBOST', 'Northeast Massachusetts/Boston', '4008', ['NEMASSBOST', 'NEMA']),
  ],
};
