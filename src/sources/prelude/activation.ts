/**
 * Prelude Session/Auth webhook activation: `GET <url>?event=activate&verification_token=…&challenge=…&app_id=…`.
 * The token and app id are checked; the answer is `200 {"challenge": <the integer>}`.
 */
import type { IngestError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
import type { PreludeSourceConfig } from '../../rules/config.ts';
import type { EnvLookup } from '../../core/interpolate.ts';
import { resolveAll } from '../credentials.ts';
import { tokensMatch } from '../token.ts';

const PARAMS = ['event', 'verification_token', 'challenge', 'app_id'] as const;
const INTEGER_RE = /^-?(?:0|[1-9]\d{0,39})$/;

/** Returns the JSON body to answer with. The challenge's digits are echoed verbatim (it may exceed 2^53). */
export async function answerActivation(query: URLSearchParams, config: PreludeSourceConfig, env: EnvLookup): Promise<Result<string, IngestError>> {
  if (!config.activation) return err({ reason: 'activation_rejected', detail: 'this source has no activation settings in rules.yaml' });
  const missing = PARAMS.filter((p) => !query.get(p));
  if (missing.length > 0) return err({ reason: 'missing_parameters', parameters: missing, detail: `missing ${missing.join(', ')}` });
  if (query.get('event') !== 'activate') return err({ reason: 'activation_rejected', detail: `event is not "activate"` });
  const challenge = query.get('challenge')!;
  if (!INTEGER_RE.test(challenge)) return err({ reason: 'activation_rejected', detail: 'challenge is not an integer' });
  const appIds = resolveAll(config.activation.appIds, env);
  if (!appIds.ok) return appIds;
  if (appIds.value.length > 0 && !appIds.value.includes(query.get('app_id')!))
    return err({ reason: 'activation_rejected', detail: 'app_id is not one of the configured apps' });
  const token = resolveAll([config.activation.verificationToken], env);
  if (!token.ok) return token;
  if (!(await tokensMatch(query.get('verification_token')!, token.value[0]!)))
    return err({ reason: 'activation_rejected', detail: 'verification_token differs' });
  return ok(`{"challenge":${challenge}}`);
}
