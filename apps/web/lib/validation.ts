/**
 * Client-side checks that mirror the server's rules so mistakes show inline before a
 * round trip. The server stays the authority: its messages are shown as they come.
 */

/** Same value as PASSWORD_MIN_LENGTH in @optibid/contracts (not imported: that module pulls TypeBox into the bundle). */
export const PASSWORD_MIN_LENGTH = 8;

export function validateEmail(v: string): string | undefined {
  if (!v.trim()) return 'Enter an email address.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim())) return 'Enter a valid email address, like name@example.com.';
  return undefined;
}

export function validateNewPassword(v: string): string | undefined {
  if (!v) return 'Enter a password.';
  if (v.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  return undefined;
}

export function validateRequired(v: string, what: string): string | undefined {
  return v.trim() ? undefined : `Enter ${what}.`;
}

export function validateConfirmation(password: string, confirmation: string): string | undefined {
  if (!confirmation) return 'Repeat the password.';
  return password === confirmation ? undefined : 'The passwords do not match.';
}

/** Drops undefined entries so `Object.keys(errors).length === 0` means valid. */
export function compactErrors<T extends Record<string, string | undefined>>(errors: T): Partial<Record<keyof T, string>> {
  const out: Partial<Record<keyof T, string>> = {};
  for (const [k, v] of Object.entries(errors)) if (v) out[k as keyof T] = v;
  return out;
}
