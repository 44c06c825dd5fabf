import type { IsoId } from '@optibid/core';
import { CaisoClient } from './caiso.js';
import { ErcotClient } from './ercot.js';
import { IsoneClient } from './isone.js';
import { MisoClient } from './miso.js';
import { NyisoClient } from './nyiso.js';
import { PjmClient } from './pjm.js';
import { SppClient } from './spp.js';
import type { ClientConfig, IsoClient } from './types.js';

export * from './types.js';

/** One client per ISO, all reading the same configuration. */
export function createIsoClients(config: ClientConfig): Record<IsoId, IsoClient> {
  return {
    CAISO: new CaisoClient(config),
    ERCOT: new ErcotClient(config),
    PJM: new PjmClient(config),
    NYISO: new NyisoClient(config),
    MISO: new MisoClient(config),
    SPP: new SppClient(config),
    ISONE: new IsoneClient(config),
  };
}
