/**
 * A route's template overrides applied over the default format. A template that fails at run time never
 * drops the notification: the default part is used and a note says why. Pure: no I/O.
 */
import type { CanonicalEvent } from '../core/event.ts';
import type { Severity, Templates } from '../core/delivery.ts';
import { summarize, type Summary } from './summary.ts';
import { renderTemplate, templateView, type TemplateEscape, type TemplateView } from './template.ts';

/** What a notification is rendered from: the event, the route's say in it, and the target's name. */
export interface RenderInput {
  readonly event: CanonicalEvent;
  readonly route: {
    readonly name: string;
    readonly severity: Severity | null;
    readonly alertKey: string | null;
    readonly action: 'trigger' | 'acknowledge' | 'resolve' | null;
    readonly templates: Templates;
  };
  readonly targetName: string;
}

export interface Rendered<P> {
  readonly payload: P;
  /** Template failures that fell back to the default format (shown in the message and the trace). */
  readonly notes: readonly string[];
}

export interface Prepared {
  readonly summary: Summary;
  readonly severity: Severity;
  readonly view: TemplateView;
  readonly notes: string[];
  /**
   * The route's template for a part rendered, or the fallback when there is none or it failed. `escape`
   * says how payload values are escaped for where the part lands (Slack mrkdwn).
   */
  part(name: string, fallback: string, escape?: TemplateEscape): string;
}

export function prepare(input: RenderInput): Prepared {
  const summary = summarize(input.event);
  const severity = input.route.severity ?? summary.severity;
  const view = templateView(input.event, { route: { name: input.route.name, severity }, target: input.targetName });
  const notes: string[] = [...summary.notes];
  return {
    summary,
    severity,
    view,
    notes,
    part(name, fallback, escape = 'none') {
      const template = input.route.templates[name];
      if (template === undefined) return fallback;
      const r = renderTemplate(template, view, escape);
      if (r.ok && r.value.trim() !== '') return r.value;
      notes.push(`${name}: ${r.ok ? 'template rendered empty' : r.error}; default shown`);
      return fallback;
    },
  };
}
