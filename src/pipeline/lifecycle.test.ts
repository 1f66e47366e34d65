import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../core/event.ts';
import { renderSlack } from '../targets/slack/render.ts';
import { alertKeyFor, durationText, repeatText, resolvedReplyText } from './lifecycle.ts';
import { flappingSlackMessage, resolvedSlackMessage } from '../targets/slack/lifecycle.ts';

const event: CanonicalEvent = {
  source: 'prequel',
  kind: 'prequel',
  type: 'transfer.error',
  id: 'pq_1',
  occurredAt: null,
  receivedAt: '2026-11-23T10:00:00.000Z',
  correlationId: null,
  meta: {},
  data: { destination_id: 'dst-1', destination_name: 'Warehouse', transfer_blamed_party: 'prequel' },
};
const route = { name: 'page', severity: 'error' as const, alertKey: 'prequel-transfer-{{data.destination_id}}', action: null, templates: {} };

describe('alert lifecycle texts', () => {
  it('derives the alert key from the route template, or none', () => {
    expect(alertKeyFor(route, event)).toBe('prequel-transfer-dst-1');
    expect(alertKeyFor({ ...route, alertKey: '{{data.missing}}' }, event)).toBeNull();
    expect(alertKeyFor({ ...route, alertKey: null }, event)).toBeNull();
  });

  it('writes durations the way people read them', () => {
    expect([45_000, 12 * 60_000, 2 * 3_600_000 + 14 * 60_000, 3 * 86_400_000 + 2 * 3_600_000, 3_600_000].map(durationText)).toEqual([
      '45s',
      '12m',
      '2h 14m',
      '3d 2h',
      '1h',
    ]);
    expect(resolvedReplyText(0, 2 * 3_600_000 + 14 * 60_000, 3)).toBe('✅ Resolved after 2h 14m (fired ×3).');
    expect(repeatText(4, Date.parse('2026-11-23T10:42:00Z'))).toBe('↻ Happened again — ×4 in all, last at 10:42 UTC. Not re-sent while the alert is open.');
  });

  it('turns the original Slack message into its resolved form (header, colour, duration), then flapping, without piling up prefixes', () => {
    const original = renderSlack({ event, route, targetName: 'chat' }).payload;
    const resolved = resolvedSlackMessage(original, 0, 90 * 60_000, 2);
    expect(resolved.text).toMatch(/^✅ Resolved: Transfer to Warehouse failed/);
    expect(resolved.attachments[0]!.color).toBe('#2EB67D');
    const blocks = resolved.attachments[0]!.blocks as { type: string; text?: { text: string }; elements?: { text: string }[] }[];
    expect(blocks[0]!.text!.text).toMatch(/^✅ Resolved: Transfer to Warehouse failed/);
    expect(blocks.at(-1)!.elements![0]!.text).toBe('Resolved after 1h 30m · fired ×2 · 01:30 UTC');
    expect(blocks.length).toBe((original.attachments[0]!.blocks as unknown[]).length + 1);
    const flapping = flappingSlackMessage(resolved, 2, 5);
    expect(flapping.text).toMatch(/^🔁 Flapping \(×2\): Transfer to Warehouse failed/);
    expect(flappingSlackMessage(flapping, 3, 6).text).toMatch(/^🔁 Flapping \(×3\): Transfer to Warehouse failed/);
  });
});
