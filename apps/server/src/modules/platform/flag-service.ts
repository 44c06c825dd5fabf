/** Feature flags evaluated on the server, with a short in-process cache. */
import { evaluateFeatureFlag, type FlagReason } from '@optibid/core';
import type { FeatureFlags } from './gates.js';
import type { FlagRow, PlatformRepositories } from '../../db/repositories/platform/index.js';

const TTL_MS = 5_000;

export interface FlagEvaluation {
  key: string;
  enabled: boolean;
  reason: FlagReason | 'unknown';
}

export class FlagService implements FeatureFlags {
  private flags: { rows: Map<string, FlagRow>; expires: number } | null = null;
  private readonly overrides = new Map<string, { map: Map<string, boolean>; expires: number }>();

  constructor(private readonly repos: PlatformRepositories) {}

  invalidate(): void {
    this.flags = null;
    this.overrides.clear();
  }

  private async definitions(): Promise<Map<string, FlagRow>> {
    if (this.flags && this.flags.expires > Date.now()) return this.flags.rows;
    const rows = new Map((await this.repos.flags.list()).map((f) => [f.key, f]));
    this.flags = { rows, expires: Date.now() + TTL_MS };
    return rows;
  }

  private async overridesOf(organizationId: string): Promise<Map<string, boolean>> {
    const hit = this.overrides.get(organizationId);
    if (hit && hit.expires > Date.now()) return hit.map;
    const map = await this.repos.flags.overridesFor(organizationId);
    this.overrides.set(organizationId, { map, expires: Date.now() + TTL_MS });
    return map;
  }

  async evaluate(organizationId: string, key: string): Promise<FlagEvaluation> {
    const flag = (await this.definitions()).get(key);
    if (!flag) return { key, enabled: false, reason: 'unknown' };
    return { key, ...evaluateFeatureFlag(flag, organizationId, (await this.overridesOf(organizationId)).get(key)) };
  }

  async isEnabled(organizationId: string, key: string): Promise<boolean> {
    return (await this.evaluate(organizationId, key)).enabled;
  }

  async evaluateAll(organizationId: string): Promise<FlagEvaluation[]> {
    const defs = await this.definitions();
    const overrides = await this.overridesOf(organizationId);
    return [...defs.values()].map((f) => ({ key: f.key, ...evaluateFeatureFlag(f, organizationId, overrides.get(f.key)) }));
  }
}
