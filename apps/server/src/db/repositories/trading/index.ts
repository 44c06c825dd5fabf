import type { Database } from '../../client.js';
import { AssetsRepository } from './assets.js';
import { BidsRepository } from './bids.js';
import { ClearingRepository } from './clearing.js';
import { sqlRunner, type SqlRunner } from './sql.js';
import { StorageStatesRepository } from './storage-states.js';

export * from './assets.js';
export * from './bids.js';
export * from './clearing.js';
export * from './sql.js';
export * from './storage-states.js';

export interface TradingRepositories {
  sql: SqlRunner;
  assets: AssetsRepository;
  bids: BidsRepository;
  clearing: ClearingRepository;
  storage: StorageStatesRepository;
}

export function createTradingRepositories(database: Database): TradingRepositories {
  const sql = sqlRunner(database);
  return { sql, assets: new AssetsRepository(sql), bids: new BidsRepository(sql), clearing: new ClearingRepository(sql), storage: new StorageStatesRepository(sql) };
}
