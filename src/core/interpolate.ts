/**
 * `${NAME}` references in rules.yaml strings, resolved against the Worker's env (secrets and vars).
 * Pure: the env is passed in.
 */
import { err, ok, type Result } from './result.ts';

export const REFERENCE_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** A string that is exactly one reference, as every credential field must be. */
export const SOLE_REFERENCE_RE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export type EnvLookup = Readonly<Record<string, unknown>>;

/** Names referenced by a template string, in order of appearance. */
export function referencedNames(template: string): string[] {
  return [...template.matchAll(REFERENCE_RE)].map((m) => m[1]!);
}

/** Resolves every reference; fails with the names that are unset or not strings (never with their values). */
export function interpolate(template: string, env: EnvLookup): Result<string, { missing: string[] }> {
  const missing: string[] = [];
  const out = template.replace(REFERENCE_RE, (_, name: string) => {
    const value = env[name];
    if (typeof value !== 'string' || value === '') {
      missing.push(name);
      return '';
    }
    return value;
  });
  return missing.length > 0 ? err({ missing }) : ok(out);
}
