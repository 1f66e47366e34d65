/**
 * Which group an event lands in: its route's `group_by` fields read from the event, as labels; the group's
 * readable key (`<route> {type="transfer.error"}`) and its id (32 hex digits of SHA-256 of the route and the
 * labels: the Durable Object's name and PagerDuty's dedup key); and a group's notification as the relay's own
 * event. Pure (WebCrypto's digest only).
 */
import type { GroupFlush, GroupSpec } from '../core/delivery.ts';
import { RELAY_SOURCE, type CanonicalEvent } from '../core/event.ts';
import { compileGetter, parsePath } from '../core/paths.ts';
import type { RouteConfig } from '../rules/config.ts';

/** Each `group_by` list's getters, compiled once (a route's list lives as long as its rules). */
const compiled = new WeakMap<readonly string[], readonly (readonly [string, (event: unknown) => unknown])[]>();

function gettersOf(by: readonly string[]) {
  let getters = compiled.get(by);
  if (!getters) {
    getters = by.map((field) => {
      const parsed = parsePath(field);
      // check refuses a path that does not parse; one that slipped through reads as missing.
      return [field, parsed.ok ? compileGetter(parsed.value as (string | number)[]) : () => undefined] as const;
    });
    compiled.set(by, getters);
  }
  return getters;
}

/** The labels of an event for a route that groups: one per `group_by` field, "" when the event has none. */
export function groupLabels(by: readonly string[], event: CanonicalEvent): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [field, get] of gettersOf(by)) {
    const value = get(event);
    labels[field] = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return labels;
}

export function groupKeyText(route: string, labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${route} {${parts.join(', ')}}`;
}

const encoder = new TextEncoder();

export async function groupSpec(route: RouteConfig, event: CanonicalEvent, at: { index: number; repeatMs: number }): Promise<GroupSpec> {
  const g = route.group!;
  const labels = groupLabels(g.by, event);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(`${route.name}\u0000${JSON.stringify(labels)}`)));
  let id = '';
  for (let i = 0; i < 16; i++) id += digest[i]!.toString(16).padStart(2, '0');
  return {
    id,
    key: groupKeyText(route.name, labels),
    route: route.name,
    routeIndex: at.index,
    labels,
    notify: route.notify,
    waitMs: g.waitMs,
    intervalMs: g.intervalMs,
    repeatMs: at.repeatMs,
  };
}

/** A group's notification as an event of the relay's own: what each target's kind renders it from. */
export function flushEvent(flush: GroupFlush): CanonicalEvent {
  const at = new Date(flush.at).toISOString();
  return {
    source: RELAY_SOURCE,
    kind: 'switchyard',
    type: 'group.notification',
    id: `group:${flush.group.id}:${flush.seq}`,
    occurredAt: at,
    receivedAt: at,
    correlationId: null,
    data: flush,
    meta: { notification_reason: flush.reason },
  };
}
