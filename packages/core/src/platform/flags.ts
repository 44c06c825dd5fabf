/**
 * Feature flags: a global switch, a rollout percentage stable per organisation,
 * and per-organisation overrides that win over both.
 */
export interface FeatureFlagDefinition {
  key: string;
  enabled: boolean;
  rollout_percentage: number;
}

export type FlagReason = 'override' | 'disabled' | 'rollout_in' | 'rollout_out';

/**
 * FNV-1a 32-bit hash (Fowler–Noll–Vo, http://www.isthe.com/chongo/tech/comp/fnv/):
 * h = 2166136261; for each byte b: h = (h XOR b) * 16777619 mod 2^32.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  const bytes = new TextEncoder().encode(text);
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The organisation's bucket 0..99 for a flag. Hashing the flag key with the
 * organisation id keeps an organisation's answer stable as the percentage only
 * grows, while different flags roll out to different organisations first.
 */
export function rolloutBucket(flagKey: string, organizationId: string): number {
  return fnv1a32(`${flagKey}:${organizationId}`) % 100;
}

export function evaluateFeatureFlag(
  flag: FeatureFlagDefinition,
  organizationId: string,
  override: boolean | null | undefined,
): { enabled: boolean; reason: FlagReason } {
  if (override === true || override === false) return { enabled: override, reason: 'override' };
  if (!flag.enabled) return { enabled: false, reason: 'disabled' };
  const inRollout = rolloutBucket(flag.key, organizationId) < Math.max(0, Math.min(100, flag.rollout_percentage));
  return { enabled: inRollout, reason: inRollout ? 'rollout_in' : 'rollout_out' };
}
