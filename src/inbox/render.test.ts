import { describe, expect, it } from 'vitest';
import type { InboxItem } from '../core/delivery.ts';
import { renderInboxItems } from './render.ts';

let next = 0;
const item = (fields: Partial<InboxItem>): InboxItem => ({
  id: ++next,
  at: Date.parse('2026-12-03T10:00:00Z') + next * 1000,
  updatedAt: next,
  target: 't',
  kind: 'slack',
  payload: {},
  event: { source: 'prequel', id: `pq_${next}`, type: 'transfer.error' },
  job: `job_${next}`,
  route: 'r',
  replies: [],
  updates: 0,
  ...fields,
});

describe('the inbox, rendered on the server', () => {
  it('escapes everything from a payload and links only http(s)', () => {
    const html = renderInboxItems([
      item({
        payload: {
          text: 'x',
          attachments: [
            {
              color: 'red;background:url(//evil)',
              blocks: [
                { type: 'header', text: { type: 'plain_text', text: '<img src=x onerror=alert(1)>' } },
                { type: 'section', text: { type: 'mrkdwn', text: '&lt;script&gt; <b>raw</b> <https://ok.example|fine>' } },
                { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open' }, url: 'javascript:alert(1)' }] },
              ],
            },
          ],
        },
        event: { source: 'prequel', id: '"><script>', type: 't' },
      }),
    ]);
    expect(html).not.toMatch(/<img|<script|<b>raw|javascript:alert|url\(\/\/evil/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<a href="https://ok.example" target="_blank" rel="noopener noreferrer">fine</a>');
    expect(html).toContain('<span class="button" title="link dropped: not an http(s) URL">Open</span>');
    expect(html).toContain('border-left-color:#ddd');
  });

  it("shows one card per PagerDuty incident, in its newest state, with the trigger's details", () => {
    const trigger = item({
      kind: 'pagerduty',
      target: 'oncall',
      payload: { event_action: 'trigger', dedup_key: 'k1', payload: { summary: 'Transfer failed', severity: 'error', source: 's' } },
    });
    const other = item({ kind: 'pagerduty', target: 'oncall', payload: { event_action: 'trigger', dedup_key: 'k2', payload: { summary: 'Other' } } });
    const resolve = item({ kind: 'pagerduty', target: 'oncall', payload: { event_action: 'resolve', dedup_key: 'k1' } });
    const html = renderInboxItems([resolve, other, trigger]);
    const cards = html.split('<article').slice(1);
    expect(cards).toHaveLength(2);
    expect(cards[0]).toContain('Incident resolved');
    expect(cards[0]).toContain('Transfer failed');
    expect(cards[0]).toMatch(/trigger 10:00:\d\d UTC → resolve 10:00:\d\d UTC/);
    expect(cards[1]).toContain('Incident triggered');
  });

  it('greys a held notification with its reason, folds long bodies, and tables GET parameters', () => {
    const held = renderInboxItems([item({ held: 'muted: outside active_when "business-hours"' })]);
    expect(held).toContain('<article class="item held"');
    expect(held).toContain('Not sent — muted: outside active_when &quot;business-hours&quot;');
    const http = renderInboxItems([
      item({ kind: 'http', payload: { method: 'POST', url: 'https://x.example', headers: {}, body: JSON.stringify({ a: 'b'.repeat(700) }) } }),
      item({
        kind: 'http',
        payload: {
          method: 'GET',
          url: 'https://x.example',
          headers: {},
          body: null,
          query: [
            ['a', '1'],
            ['b', '<2>'],
          ],
        },
      }),
    ]);
    expect(http).toContain('<details class="body-fold"><summary>body (');
    expect(http).toContain('<table class="query"><tr><th>a</th><td>1</td></tr><tr><th>b</th><td>&lt;2&gt;</td></tr></table>');
    expect(renderInboxItems([])).toContain('Nothing yet');
  });
});
