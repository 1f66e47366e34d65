/**
 * Structured logging: one JSON line per decision. Callers pass facts, never bodies or secrets; `redact`
 * masks values that look like personal data (phone numbers, e-mail addresses) as a second line of defence.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

/** E.164 numbers, the form Prelude sends (`+33612345678`). Bare digit runs are ids and times: left alone. */
const PHONE_RE = /\+\d{7,15}\b/g;
const EMAIL_RE = /[^\s@"']+@[^\s@"']+\.[A-Za-z]{2,}/g;

export function redact(text: string): string {
  return text.replace(EMAIL_RE, '[email]').replace(PHONE_RE, '[phone]');
}

export function createConsoleLogger(base: LogFields = {}): Logger {
  return {
    log(level, msg, fields = {}) {
      const line = redact(JSON.stringify({ level, msg, ...base, ...fields }));
      if (level === 'error') console.error(line);
      else if (level === 'warn') console.warn(line);
      else console.log(line);
    },
  };
}
