/**
 * Resolves a target's `${NAME}` references against the Worker's env at send time. The error names the unset
 * variables, never a value. Pure: the env is passed in.
 */
import { interpolate, type EnvLookup } from '../core/interpolate.ts';
import { err, ok, type Result } from '../core/result.ts';

export function resolveSecrets(templates: readonly string[], env: EnvLookup): Result<string[], string> {
  const out: string[] = [];
  for (const t of templates) {
    const r = interpolate(t, env);
    if (!r.ok) return err(`unset secret or variable: ${r.error.missing.join(', ')}`);
    out.push(r.value);
  }
  return ok(out);
}
