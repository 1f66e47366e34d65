/**
 * What the relay accepts from a sender, decided before anything is stored. A delivery outside these limits
 * fails the same way on every retry, so it is refused with a 4xx and its reason, never a 503 that a vendor
 * would retry for two weeks. Pure: no I/O.
 *
 * - JSON nesting: deeper documents are refused before `JSON.parse` (a recursive walk of a 5,000-level
 *   document overflows the stack in the runtime's serializer, the rules and the renderers alike).
 * - Event ids and types: 1–256 characters without control characters (CR/LF in an id or type would break
 *   every HTTP header it is copied into; a 130 KB id would not fit a queue message).
 * - Events per delivery: 1,000 (a batch is recorded event by event while the sender waits).
 */
import type { CanonicalEvent } from './event.ts';

export const MAX_JSON_DEPTH = 64;
export const MAX_EVENT_ID_LENGTH = 256;
export const MAX_EVENT_TYPE_LENGTH = 256;
export const MAX_EVENTS_PER_DELIVERY = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * The deepest nesting of `{`/`[` in a JSON body, ignoring brackets inside strings; stops counting once past
 * `limit` (the answer is then `limit + 1`). It reads the raw bytes: in UTF-8 no byte of a multi-byte character
 * is ASCII, so quotes, backslashes and brackets are found exactly. One pass, no allocation: ~2 ns a byte, half
 * of `JSON.parse` on the same body (a loop over the decoded string's characters cost more than the parse).
 */
export function jsonDepth(body: Uint8Array, limit: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  let escaped = false;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return deepest;
}

// Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
export const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_ALL_RE = new RegExp(CONTROL_RE.source, 'g');

/** What is wrong with an identifier-like field (an event id or type), or null when it is acceptable. */
export function identifierProblem(what: string, value: string, max: number): string | null {
  if (value === '') return `${what} is empty`;
  if (value.length > max) return `${what} is ${value.length} characters long (at most ${max})`;
  if (CONTROL_RE.test(value)) return `${what} contains a control character (CR, LF, tab, …)`;
  return null;
}

/** Why an event cannot be accepted as it is, or null. */
export function eventProblem(event: Pick<CanonicalEvent, 'id' | 'type'>): string | null {
  return identifierProblem('event id', event.id, MAX_EVENT_ID_LENGTH) ?? identifierProblem('event type', event.type, MAX_EVENT_TYPE_LENGTH);
}

/** An event id or type cut short for a log line or an error message. */
export function preview(value: string, max = 40): string {
  const clean = value.replace(CONTROL_ALL_RE, '\uFFFD');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
