import type { Database } from '../client.js';

/** Key → JSON value for server state that must survive restarts. */
export class SettingsRepository {
  constructor(private readonly database: Database) {}

  async get<T>(key: string): Promise<T | null> {
    const [row] = await this.database.query<{ value: T }>('SELECT value FROM app_settings WHERE key = $1', [key]);
    return row ? row.value : null;
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.database.query(
      `INSERT INTO app_settings (key, value) VALUES ($1, $2::jsonb)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, JSON.stringify(value)],
    );
  }
}
