/**
 * Resolves a source's `${NAME}` key references against the env and imports them with WebCrypto, once per
 * isolate: the promise is cached by source and resolved text, so a rotated secret (a new deploy) imports anew.
 */
import type { IngestError } from '../core/errors.ts';
import { err, ok, type Result } from '../core/result.ts';
import type { SourceConfig } from '../rules/config.ts';
import { interpolate, type EnvLookup } from '../core/interpolate.ts';
import { handlerFor } from './registry.ts';

export interface CredentialCache {
  keysFor(name: string, config: SourceConfig, env: EnvLookup): Promise<Result<readonly CryptoKey[], IngestError>>;
}

/** Interpolates every entry; the error names the unset variables, never any value. */
export function resolveAll(templates: readonly string[], env: EnvLookup): Result<string[], IngestError> {
  const out: string[] = [];
  for (const t of templates) {
    const r = interpolate(t, env);
    if (!r.ok) return err({ reason: 'source_unconfigured', detail: `unset secret or variable: ${r.error.missing.join(', ')}` });
    out.push(r.value);
  }
  return ok(out);
}

export function createCredentialCache(): CredentialCache {
  const cache = new Map<string, Promise<Result<readonly CryptoKey[], IngestError>>>();
  // The env of an isolate does not change between requests: remember what each config resolved to against it,
  // so the hot path skips interpolation and the long cache key.
  const resolvedFor = new WeakMap<SourceConfig, { env: EnvLookup; keys: Promise<Result<readonly CryptoKey[], IngestError>> }>();
  return {
    keysFor(name, config, env) {
      const hit = resolvedFor.get(config);
      if (hit && hit.env === env) return hit.keys;
      if (config.auth.type !== 'signature') return Promise.resolve(ok([]));
      const resolved = resolveAll(config.auth.keys, env);
      if (!resolved.ok) return Promise.resolve(resolved);
      const cacheKey = `${name}\u0000${resolved.value.join('\u0000')}`;
      let pending = cache.get(cacheKey);
      if (!pending) {
        pending = handlerFor(config)
          .importKeys(resolved.value)
          .then((r) => (r.ok ? ok(r.value) : err<IngestError>({ reason: 'source_unconfigured', detail: `source "${name}": ${r.error}` })));
        cache.set(cacheKey, pending);
      }
      resolvedFor.set(config, { env, keys: pending });
      return pending;
    },
  };
}
