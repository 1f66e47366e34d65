/**
 * Which target fields hold credentials, so the rules check can insist on `${NAME}` references there.
 * Pure: no I/O.
 */
import { REFERENCE_RE } from '../core/interpolate.ts';

/** Header names whose values are credentials. */
export const CREDENTIAL_HEADER_RE = /^(?:authorization|proxy-authorization|cookie|.*(?:token|secret|api[-_]?key|signature|password|passwd).*)$/i;
/** Query parameter names whose values are credentials. */
const CREDENTIAL_PARAM_RE = /^(?:.*(?:token|secret|key|sig|signature|password|passwd|auth).*)$/i;

export const hasReference = (text: string): boolean => new RegExp(REFERENCE_RE.source).test(text);

/** Problems with literal credentials inside a URL (user info, credential-named query parameters). */
export function literalCredentialsInUrl(url: string): string[] {
  const problems: string[] = [];
  const userInfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(url)?.[1];
  if (userInfo && userInfo.includes(':') && !hasReference(userInfo.split(':').slice(1).join(':'))) {
    problems.push('holds a literal password in its user info; use "${NAME}"');
  }
  const query = url.split('?')[1]?.split('#')[0] ?? '';
  for (const pair of query.split('&').filter(Boolean)) {
    const [name = '', value = ''] = pair.split('=');
    if (CREDENTIAL_PARAM_RE.test(decodeURIComponentSafe(name)) && value !== '' && !hasReference(value)) {
      problems.push(`query parameter "${name}" looks like a credential with a literal value; use "\${NAME}"`);
    }
  }
  return problems;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
