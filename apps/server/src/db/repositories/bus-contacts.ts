/**
 * When each server instance last reached the bus's broker (NATS), so readiness can tell an
 * instance cut off from NATS (others reach it) from NATS being down (nobody does).
 */
import type { Database } from '../client.js';

export class BusContactRepository {
  constructor(private readonly database: Database) {}

  /** This instance reached the broker now; contacts older than a day (instances long gone) are dropped. */
  async record(instanceId: string): Promise<void> {
    await this.database.query(
      `WITH gone AS (DELETE FROM bus_contacts WHERE reached_at < now() - interval '1 day')
       INSERT INTO bus_contacts (instance_id, reached_at) VALUES ($1, now())
       ON CONFLICT (instance_id) DO UPDATE SET reached_at = EXCLUDED.reached_at`,
      [instanceId],
    );
  }

  /** Whether another instance reached the broker within the last `seconds`. */
  async othersReachedWithin(instanceId: string, seconds: number): Promise<boolean> {
    const [row] = await this.database.query<{ hit: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM bus_contacts WHERE instance_id <> $1 AND reached_at > now() - make_interval(secs => $2)) AS hit`,
      [instanceId, seconds],
    );
    return Boolean(row?.hit);
  }
}
