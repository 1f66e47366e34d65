/**
 * Generic HTTP target settings in rules.yaml: method, URL, headers (credentials only as `${NAME}`), timeout,
 * and optional Standard Webhooks signing of what is sent. Validated at build time (zod; never in the Worker).
 */
import { parseDuration } from '../../core/units.ts';
import type { RetryPolicy, Templates } from '../../core/delivery.ts';
import type { SchemaParts } from '../../core/schema-parts.ts';
import { CREDENTIAL_HEADER_RE, hasReference, literalCredentialsInUrl } from '../credentials.ts';

export const DEFAULT_HTTP_TIMEOUT = '10s';

/** Its rules.yaml schema, built with the zod the build step hands in (the Worker's bundle never holds zod). */
export const httpSchema = ({ z, common, secretRef, duration }: SchemaParts) =>
  z
    .strictObject({
      kind: z.literal('http'),
      ...common,
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH']).default('POST').describe('POST/PUT/PATCH send a JSON body; GET sends the payload as query parameters'),
      url: z
        .string()
        .regex(/^(?:https?:\/\/|\$\{)/, { message: 'url must start with https:// or http:// (or be a ${NAME} reference)' })
        .describe('Where to send; may contain ${NAME} references'),
      headers: z
        .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: 'not a valid header name' }), z.string())
        .default({})
        .describe('Extra headers; credentials only as ${NAME}'),
      timeout: duration('timeout').default(DEFAULT_HTTP_TIMEOUT).describe('Give up on a request after this long (it is then retried)'),
      signing_secret: secretRef('signing_secret')
        .optional()
        .describe('Sign what is sent with Standard Webhooks (whsec_ secret), so the receiver can verify us'),
    })
    .describe('Generic HTTP endpoint');

export type HttpTargetInput = import('zod').output<ReturnType<typeof httpSchema>>;

export function httpProblems(t: HttpTargetInput): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  for (const [name, value] of Object.entries(t.headers)) {
    if (CREDENTIAL_HEADER_RE.test(name) && !hasReference(value))
      problems.push({
        path: ['headers', name],
        message: `header ${name} carries a credential: write it as "\${NAME}" (a Worker secret), never the value itself`,
      });
  }
  for (const message of literalCredentialsInUrl(t.url)) problems.push({ path: ['url'], message: `url ${message}` });
  return problems;
}

export function toHttpConfig(t: HttpTargetInput): HttpTargetConfig {
  return {
    kind: 'http',
    method: t.method,
    url: t.url,
    headers: t.headers,
    timeoutMs: parseDuration(t.timeout)!,
    signingSecret: t.signing_secret ?? null,
    templates: t.templates ?? {},
  };
}

export interface HttpTargetConfig {
  readonly kind: 'http';
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Standard Webhooks signing secret (`${NAME}`) for what we send; null to send unsigned. */
  readonly signingSecret: string | null;
  readonly templates?: Templates;
  readonly retry?: RetryPolicy;
  readonly paceMs?: number;
}
