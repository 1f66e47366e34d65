/**
 * User templates in rules.yaml: Liquid output expressions only (`{{ data.destination_name | default: "?" }}`),
 * no tags, so templates stay logic-less. LiquidJS evaluates without eval/new Function (Workers forbid both).
 * Filters: default, truncate, json, date, upper, lower (and Liquid's other standard filters).
 * Templates are checked at build time (syntax, filters, variable roots) and parsed once per isolate.
 * Pure: no I/O.
 */
import { Liquid, type Template } from 'liquidjs';
import type { CanonicalEvent } from '../core/event.ts';
import { err, ok, type Result } from '../core/result.ts';
import { ROOT_FIELDS } from '../core/paths.ts';
import { closest } from '../core/suggest.ts';
import { escapeMrkdwn } from './text.ts';

/**
 * Bounds on one render, against templates that blow up (`| append` chained on a large field): LiquidJS counts
 * the characters it creates (`memoryLimit`) and the outputs it writes (`templateLimit`) and stops with an
 * error, and the result is capped again after rendering. A template that hits a bound falls back to the
 * default format, with a note (render/overrides.ts).
 */
export const TEMPLATE_MEMORY_LIMIT = 1_000_000;
export const TEMPLATE_OUTPUT_LIMIT = 10_000;
/** The most a rendered template may produce (256 KB), whatever the receiver. */
export const RENDERED_MAX_CHARS = 256 * 1024;

/** How each `{{ … }}` output is escaped for where it lands; `| raw` opts one output out. */
export type TemplateEscape = 'none' | 'mrkdwn';

function createEngine(outputEscape?: (value: unknown) => string): Liquid {
  const e = new Liquid({ strictFilters: true, ownPropertyOnly: true, cache: false, greedy: false, ...(outputEscape ? { outputEscape } : {}) });
  e.registerFilter('upper', (v: unknown) => String(v ?? '').toUpperCase());
  e.registerFilter('lower', (v: unknown) => String(v ?? '').toLowerCase());
  return e;
}

const stringOf = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const engines: Record<TemplateEscape, Liquid> = {
  none: createEngine(),
  // Payload values in Slack mrkdwn: `<!channel>` or `<https://evil|Open>` from a vendor field stay text.
  mrkdwn: createEngine((v) => escapeMrkdwn(stringOf(v))),
};
const engine = engines.none;

/** Names a template may start from: the event's fields (as in `when`), plus `route` and `target`. */
export const TEMPLATE_ROOTS = [...Object.keys(ROOT_FIELDS), 'route', 'target', 'event'] as const;

const parsed: Record<TemplateEscape, Map<string, Template[]>> = { none: new Map(), mrkdwn: new Map() };

function parse(text: string, escape: TemplateEscape = 'none'): Template[] {
  let t = parsed[escape].get(text);
  if (!t) parsed[escape].set(text, (t = engines[escape].parse(text)));
  return t;
}

/** Problems with a template, or null. Run by the rules check so a typo fails the build, not a page. */
export function checkTemplate(text: string): string | null {
  if (/\{%/.test(text)) return 'templates are logic-less: only {{ … }} expressions, no {% … %} tags';
  let templates: Template[];
  try {
    templates = parse(text);
  } catch (e) {
    return `template: ${firstLine(e)}`;
  }
  for (const segments of engine.globalVariableSegmentsSync(templates)) {
    const root = String(segments[0]);
    if (!(TEMPLATE_ROOTS as readonly string[]).includes(root)) {
      const near = closest(root, TEMPLATE_ROOTS);
      return `template: unknown field "${root}"${near ? ` (did you mean "${near}"?)` : ` (fields: ${TEMPLATE_ROOTS.join(', ')})`}`;
    }
  }
  return null;
}

export interface TemplateView {
  readonly [key: string]: unknown;
}

/** What a template sees: the event's fields under the names `when` uses, plus the route and target. */
export function templateView(event: CanonicalEvent, extra: { route?: { name: string; severity: string | null }; target?: string } = {}): TemplateView {
  const view = {
    source: event.source,
    kind: event.kind,
    type: event.type,
    id: event.id,
    data: event.data,
    payload: event.data,
    occurred_at: event.occurredAt,
    received_at: event.receivedAt,
    correlation_id: event.correlationId,
    meta: event.meta,
    app_id: event.meta.appId ?? null,
    api_version: event.meta.apiVersion ?? null,
    route: extra.route ?? null,
    target: extra.target ?? null,
  };
  return { ...view, event: view };
}

export function renderTemplate(text: string, view: TemplateView, escape: TemplateEscape = 'none'): Result<string, string> {
  let out: string;
  try {
    out = engines[escape].renderSync(parse(text, escape), view, { memoryLimit: TEMPLATE_MEMORY_LIMIT, templateLimit: TEMPLATE_OUTPUT_LIMIT }) as string;
  } catch (e) {
    return err(`template failed: ${firstLine(e)}`);
  }
  if (out.length > RENDERED_MAX_CHARS) return err(`template rendered ${out.length} characters (at most ${RENDERED_MAX_CHARS})`);
  return ok(out);
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
