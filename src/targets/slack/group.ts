/**
 * A group's notification as one Slack message, updated in place at each of its notifications: the header
 * counts what fails and what recovered, the body lists up to GROUP_LIST_MAX members (then "+k more"), the
 * context says why it was sent. Built with Block Kit's named limits (render.ts). Pure.
 */
import type { GroupFlush } from '../../core/delivery.ts';
import type { Prepared } from '../../render/overrides.ts';
import { escapeMrkdwn } from '../../render/text.ts';
import { SEVERITY_MARK, slackCard, type SlackMessage } from './render.ts';

const REASONS: Record<GroupFlush['reason'], string> = {
  first: 'first notification',
  members_added: 'members added',
  members_resolved: 'members resolved',
  all_resolved: 'all resolved',
  repeat: 'still failing (repeat)',
};

/** "12 failing · 3 recovered" (or "all 15 recovered"). */
export function groupCounts(flush: GroupFlush): string {
  const { firing, resolved } = flush.counts;
  if (flush.status === 'resolved') return `all ${resolved} recovered`;
  return `${firing} failing${resolved > 0 ? ` · ${resolved} recovered` : ''}`;
}

/**
 * `parts` (the route's and target's templates, prepared over the notification as the relay's event) may
 * replace the title and add a text above the member list; without templates, the default message.
 */
export function renderSlackGroup(flush: GroupFlush, parts?: Prepared): SlackMessage {
  const mark = flush.status === 'resolved' ? SEVERITY_MARK.resolved : SEVERITY_MARK[flush.severity];
  const defaultTitle = `${groupCounts(flush)} — ${flush.group.route}`;
  const title = parts ? parts.part('title', defaultTitle).replace(/\s+/g, ' ').trim() : defaultTitle;
  const text = parts ? parts.part('text', '', 'mrkdwn') : '';
  const total = flush.counts.firing + flush.counts.resolved;
  const lines = flush.alerts.map((a) => {
    const m = a.status === 'resolved' ? SEVERITY_MARK.resolved.emoji : SEVERITY_MARK[a.severity].emoji;
    return `${m} \`${escapeMrkdwn(a.key)}\` ${escapeMrkdwn(a.title)}${a.count > 1 ? ` (×${a.count})` : ''}`;
  });
  const more = total > flush.alerts.length ? `\n+${total - flush.alerts.length} more` : '';
  const labels = Object.entries(flush.group.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return slackCard({
    mark,
    title,
    body: `${text ? `${text}\n\n` : ''}${lines.join('\n')}${more}`,
    context: `${REASONS[flush.reason]} · notification ${flush.seq}${labels ? ` · ${escapeMrkdwn(labels)}` : ''}${(parts?.notes ?? []).map((n) => ` · ⚠ ${escapeMrkdwn(n)}`).join('')}`,
  });
}
