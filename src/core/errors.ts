/**
 * Every expected ingest failure as a tagged value, and the one exhaustive mapping to HTTP status and a short
 * public message. The `detail` goes to the log only. Pure: no I/O.
 */
export type IngestError =
  | { readonly reason: 'unknown_source'; readonly detail: string }
  | { readonly reason: 'method_not_allowed'; readonly detail: string; readonly allow: readonly string[] }
  | { readonly reason: 'unsupported_content_type'; readonly detail: string }
  | { readonly reason: 'body_too_large'; readonly detail: string; readonly limit: number }
  | { readonly reason: 'missing_headers'; readonly detail: string; readonly headers: readonly string[] }
  | { readonly reason: 'malformed_header'; readonly detail: string; readonly header: string }
  | { readonly reason: 'timestamp_too_old'; readonly detail: string }
  | { readonly reason: 'timestamp_in_future'; readonly detail: string }
  | { readonly reason: 'digest_mismatch'; readonly detail: string }
  | { readonly reason: 'bad_signature'; readonly detail: string }
  | { readonly reason: 'bad_token'; readonly detail: string }
  | { readonly reason: 'malformed_json'; readonly detail: string }
  | { readonly reason: 'json_too_deep'; readonly detail: string; readonly limit: number }
  | { readonly reason: 'too_many_events'; readonly detail: string; readonly limit: number }
  | { readonly reason: 'invalid_event'; readonly detail: string }
  | { readonly reason: 'invalid_envelope'; readonly detail: string }
  | { readonly reason: 'missing_parameters'; readonly detail: string; readonly parameters: readonly string[] }
  | { readonly reason: 'malformed_query'; readonly detail: string }
  | { readonly reason: 'activation_rejected'; readonly detail: string }
  | { readonly reason: 'source_unconfigured'; readonly detail: string }
  | { readonly reason: 'ledger_unavailable'; readonly detail: string };

export type IngestReason = IngestError['reason'];

export interface WireError {
  readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 415 | 503;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The single place that turns a failure into what the sender sees. Exhaustive by construction. */
export function toWire(error: IngestError): WireError {
  switch (error.reason) {
    case 'unknown_source':
      return { status: 404, message: 'no source by that name' };
    case 'method_not_allowed':
      return { status: 405, message: 'method not allowed', headers: { Allow: error.allow.join(', ') } };
    case 'unsupported_content_type':
      return { status: 415, message: 'content type must be application/json' };
    case 'body_too_large':
      return { status: 413, message: `body larger than ${error.limit} bytes` };
    case 'missing_headers':
      return { status: 400, message: `missing header${error.headers.length > 1 ? 's' : ''}: ${error.headers.join(', ')}` };
    case 'malformed_header':
      return { status: 400, message: `malformed header: ${error.header}` };
    case 'timestamp_too_old':
      return { status: 401, message: 'timestamp outside the accepted window (too old)' };
    case 'timestamp_in_future':
      return { status: 401, message: 'timestamp outside the accepted window (in the future)' };
    case 'digest_mismatch':
      return { status: 401, message: 'body digest does not match' };
    case 'bad_signature':
      return { status: 401, message: 'signature does not verify' };
    case 'bad_token':
      return { status: 401, message: 'token does not match' };
    case 'malformed_json':
      return { status: 400, message: 'body is not valid JSON' };
    case 'json_too_deep':
      return { status: 400, message: `JSON nested deeper than ${error.limit} levels` };
    case 'too_many_events':
      return { status: 413, message: `more than ${error.limit} events in one delivery` };
    case 'invalid_event':
      return { status: 400, message: `unacceptable event: ${error.detail}` };
    case 'invalid_envelope':
      return { status: 400, message: `unexpected event shape: ${error.detail}` };
    case 'missing_parameters':
      return { status: 400, message: `missing query parameter${error.parameters.length > 1 ? 's' : ''}: ${error.parameters.join(', ')}` };
    case 'malformed_query':
      return { status: 400, message: `unreadable query string: ${error.detail}` };
    case 'activation_rejected':
      return { status: 403, message: 'activation request rejected' };
    case 'source_unconfigured':
      return { status: 503, message: 'source is not configured yet; retry later', headers: { 'Retry-After': '60' } };
    case 'ledger_unavailable':
      return { status: 503, message: 'temporarily unable to record events; retry later', headers: { 'Retry-After': '5' } };
  }
}
