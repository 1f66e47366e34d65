/**
 * Text helpers for notifications: truncation (never splitting a surrogate pair),
 * Slack mrkdwn escaping, phone masking, value display. Pure: no I/O.
 */
import { CONTROL_RE } from '../core/limits.ts';
export const ELLIPSIS = '…';

/**
 * At most `max` characters, ending with an ellipsis when cut, never splitting a surrogate pair. Counted in
 * UTF-16 units (what JavaScript's `length`, Slack and PagerDuty count), which also bounds the code points.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end) + ELLIPSIS;
}

/** The last `max` characters, starting with an ellipsis when cut (the end of a stack trace matters most). */
export function truncateStart(text: string, max: number): string {
  if (text.length <= max) return text;
  let start = text.length - Math.max(0, max - 1);
  if (start < text.length && isLowSurrogate(text.charCodeAt(start))) start++;
  return ELLIPSIS + text.slice(start);
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `+33612345678` → `+33•••••678`: enough to recognise, not enough to dial. */
export function maskPhone(value: string): string {
  const digits = value.replace(/[^\d+]/g, '');
  if (digits.length < 7) return '•••';
  return `${digits.slice(0, 3)}${'•'.repeat(Math.max(3, digits.length - 6))}${digits.slice(-3)}`;
}

/** A value as one line for a field: lists joined, objects as JSON, nothing as an em dash. */
export function display(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'number') return value.toLocaleString('en-US');
  return String(value);
}

/**
 * `truncate` for escaped mrkdwn: never ends inside an entity (`&amp;`, `&lt;`, `&gt;`), which Slack would
 * otherwise show as broken text.
 */
export function truncateMrkdwn(text: string, max: number): string {
  const cut = truncate(text, max);
  if (cut === text) return cut;
  return cut.replace(/&[a-z]{0,3};?…$/, (m) => (m.endsWith(';…') ? m : ELLIPSIS));
}

/** `truncateStart` for escaped mrkdwn: never starts inside an entity. */
export function truncateStartMrkdwn(text: string, max: number): string {
  const cut = truncateStart(text, max);
  return cut === text ? cut : cut.replace(/^…(?:amp|lt|gt|mp|p|t);/, ELLIPSIS);
}

/** The longest link a Slack button or a PagerDuty link takes. */
export const LINK_URL_MAX = 3000;

/**
 * A payload URL that may become a button or a link: absolute http(s) only, no credentials, no white space
 * or control characters, at most 3,000 characters. `javascript:`, `data:` and the rest give null.
 */
export function safeLinkUrl(value: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (value.length > LINK_URL_MAX || /[\s\u0000-\u001f\u007f]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  return value;
}

const EMAIL_RE = /[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;
/** International numbers as vendors write them: `+` then 8–15 digits, spaces, dots, dashes or brackets between. */
const PHONE_RE = /\+\d(?:[\s().-]?\d){6,16}/g;

/**
 * Masks e-mail addresses and international phone numbers found anywhere in a text, by value rather than by
 * the key they came under: `jane.doe@example.com` → `j•••@example.com`, `+33 6 12 34 56 78` → `+33•••••678`.
 */
export function maskPersonal(text: string): string {
  if (!text.includes('@') && !text.includes('+')) return text;
  return text.replace(EMAIL_RE, (m, domain: string) => `${m[0]}•••@${domain}`).replace(PHONE_RE, (m) => maskPhone(m));
}

const CONTROL_ALL_RE = new RegExp(CONTROL_RE.source, 'g');

/** One line of text: white space folded to single spaces, other control characters dropped. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(CONTROL_ALL_RE, '').trim();
}
