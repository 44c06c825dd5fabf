/**
 * Limits of price-file imports (API uploads and `optibid import`): how many
 * files one upload may carry, how large each file and the whole upload may be,
 * and what one file may decompress to (in bytes, and per byte received). Read
 * once with the rest of the environment.
 */

export interface ImportLimits {
  /** Most files in one upload (IMPORT_MAX_FILES). */
  readonly maxFiles: number;
  /** Most bytes of one uploaded file as received (IMPORT_MAX_FILE_MB). */
  readonly maxFileBytes: number;
  /** Most bytes of every file of one upload together (IMPORT_MAX_REQUEST_MB). */
  readonly maxRequestBytes: number;
  /** Most bytes one file may decompress to, nested archives counted (IMPORT_MAX_DECOMPRESSED_MB). */
  readonly maxDecompressedBytes: number;
  /** Most decompressed bytes per byte received, checked past 8 MiB of output (IMPORT_MAX_COMPRESSION_RATIO). */
  readonly maxCompressionRatio: number;
}

/** The environment variable behind each limit: error messages name it, so an operator knows what to raise. */
export const IMPORT_LIMIT_ENV: Readonly<Record<keyof ImportLimits, string>> = {
  maxFiles: 'IMPORT_MAX_FILES',
  maxFileBytes: 'IMPORT_MAX_FILE_MB',
  maxRequestBytes: 'IMPORT_MAX_REQUEST_MB',
  maxDecompressedBytes: 'IMPORT_MAX_DECOMPRESSED_MB',
  maxCompressionRatio: 'IMPORT_MAX_COMPRESSION_RATIO',
};

const MIB = 1024 * 1024;

type Env = Record<string, string | undefined>;

export function loadImportLimits(env: Env, problems: string[]): ImportLimits {
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw}: expected an integer from ${min} to ${max}`);
      return def;
    }
    return n;
  };
  const limits: ImportLimits = {
    maxFiles: int('IMPORT_MAX_FILES', 50, 1, 1000),
    maxFileBytes: int('IMPORT_MAX_FILE_MB', 100, 1, 4096) * MIB,
    maxRequestBytes: int('IMPORT_MAX_REQUEST_MB', 200, 1, 16384) * MIB,
    // A JavaScript string holds at most about 512 MiB: a file decompressing further could not be parsed anyway.
    maxDecompressedBytes: int('IMPORT_MAX_DECOMPRESSED_MB', 256, 1, 512) * MIB,
    maxCompressionRatio: int('IMPORT_MAX_COMPRESSION_RATIO', 100, 2, 100000),
  };
  if (limits.maxFileBytes > limits.maxRequestBytes) problems.push(`IMPORT_MAX_FILE_MB (${limits.maxFileBytes / MIB}) is larger than IMPORT_MAX_REQUEST_MB (${limits.maxRequestBytes / MIB}): one file could never be sent whole`);
  return Object.freeze(limits);
}
