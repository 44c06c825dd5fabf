import { describe, expect, it } from 'vitest';
import { CliUsageError, parseArgs } from './args.js';

const spec = {
  email: { type: 'string', required: true, description: 'e-mail' },
  force: { type: 'boolean', description: 'force' },
  format: { type: 'string', description: 'format', default: 'auto' },
} as const;

describe('cli argument parser', () => {
  it('parses values, flags, defaults and positionals', () => {
    const r = parseArgs(['a.csv', '--email', 'x@y.z', '--force', 'b.csv'], { ...spec });
    expect(r.options).toEqual({ email: 'x@y.z', force: true, format: 'auto' });
    expect(r.positionals).toEqual(['a.csv', 'b.csv']);
    expect(parseArgs(['--email=q@w.e'], { ...spec }).options.email).toBe('q@w.e');
  });
  it('refuses unknown options, missing values and missing required options', () => {
    expect(() => parseArgs(['--emial', 'x'], { ...spec })).toThrow(CliUsageError);
    expect(() => parseArgs(['--email'], { ...spec })).toThrow(/needs a value/);
    expect(() => parseArgs([], { ...spec })).toThrow(/missing required option --email/);
  });
});
