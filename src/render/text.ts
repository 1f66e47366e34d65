/**
 * Text helpers for notifications: truncation by code point (never splitting a surrogate pair or an emoji),
 * Slack mrkdwn escaping, phone masking, value display. Pure: no I/O.
 */
export const ELLIPSIS = '…';

/** At most `max` code points, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return points.slice(0, Math.max(0, max - 1)).join('') + ELLIPSIS;
}

/** The last `max` code points, starting with an ellipsis when cut (the end of a stack trace matters most). */
export function truncateStart(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return ELLIPSIS + points.slice(points.length - (max - 1)).join('');
}

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
