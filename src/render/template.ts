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
import { ROOT_FIELDS } from '../rules/paths.ts';
import { closest } from '../rules/suggest.ts';

const engine = new Liquid({ strictFilters: true, ownPropertyOnly: true, cache: false, greedy: false });
engine.registerFilter('upper', (v: unknown) => String(v ?? '').toUpperCase());
engine.registerFilter('lower', (v: unknown) => String(v ?? '').toLowerCase());

/** Names a template may start from: the event's fields (as in `when`), plus `route` and `target`. */
export const TEMPLATE_ROOTS = [...Object.keys(ROOT_FIELDS), 'route', 'target', 'event'] as const;

const parsed = new Map<string, Template[]>();

function parse(text: string): Template[] {
  let t = parsed.get(text);
  if (!t) parsed.set(text, (t = engine.parse(text)));
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

export function renderTemplate(text: string, view: TemplateView): Result<string, string> {
  try {
    return ok(engine.renderSync(parse(text), view) as string);
  } catch (e) {
    return err(`template failed: ${firstLine(e)}`);
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
