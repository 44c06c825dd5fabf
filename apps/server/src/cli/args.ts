/**
 * A small, strict argument parser for the `optibid` command: `--name value`,
 * `--name=value`, boolean `--flag`, and positionals. Unknown options are errors,
 * so a typo never silently changes what a command does.
 */
export class CliUsageError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  required?: boolean;
  description: string;
  default?: string | boolean;
  /** May be given several times; the value is then the list, in order. */
  multiple?: boolean;
}

export interface ParsedArgs {
  options: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const options: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const def = spec[name];
    if (!def) throw new CliUsageError(`unknown option --${name}`);
    if (def.type === 'boolean') {
      if (eq >= 0) throw new CliUsageError(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new CliUsageError(`--${name} needs a value`);
    if (def.multiple) options[name] = [...((options[name] as string[] | undefined) ?? []), value];
    else options[name] = value;
  }
  for (const [name, def] of Object.entries(spec)) {
    if (options[name] === undefined && def.default !== undefined) options[name] = def.multiple ? [String(def.default)] : def.default;
    if (def.required && options[name] === undefined) throw new CliUsageError(`missing required option --${name}`);
  }
  return { options, positionals };
}

export function formatOptions(spec: Record<string, OptionSpec>): string {
  return Object.entries(spec)
    .map(([name, d]) => {
      const left = `  --${name}${d.type === 'string' ? ' <value>' : ''}`;
      const extra = d.required ? ' (required)' : d.default !== undefined ? ` (default: ${String(d.default)})` : '';
      return `${left.padEnd(30)} ${d.description}${extra}`;
    })
    .join('\n');
}

/** A CLI sub-command. `run` returns the process exit code. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}
