// A small argv parser: positional arguments and --flags (--name value, --name=value, boolean --flag).
import { suggest } from './suggest';

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flags every command takes. */
export const GLOBAL_FLAGS = ['json', 'verbose', 'help'] as const;

/** valueFlags take a value; every other --flag is boolean. Unknown flags are refused. */
export function parseArgs(argv: readonly string[], spec: { value?: readonly string[]; bool?: readonly string[] }): ParsedArgs {
  const value = new Set(spec.value ?? []);
  const bool = new Set<string>([...(spec.bool ?? []), ...GLOBAL_FLAGS]);
  const out: ParsedArgs = { positional: [], flags: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (value.has(name)) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined || v === '') throw new UsageError(`--${name} needs a value.`);
        out.flags.set(name, v);
      } else if (bool.has(name)) {
        if (eq >= 0) throw new UsageError(`--${name} takes no value.`);
        out.flags.set(name, true);
      } else {
        const near = suggest(name, [...value, ...bool]);
        throw new UsageError(`Unknown option --${name}.${near ? ` Did you mean --${near}?` : ''}`);
      }
    } else if (a === '-h') {
      out.flags.set('help', true);
    } else {
      out.positional.push(a);
    }
  }
  return out;
}

export function flagString(a: ParsedArgs, name: string): string | undefined {
  const v = a.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagNumber(a: ParsedArgs, name: string, fallback: number): number {
  const v = flagString(a, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, not "${v}".`);
  return n;
}
