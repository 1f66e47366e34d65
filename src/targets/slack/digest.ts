/**
 * The paging budget's digest as a Slack message: how many pages were held back on which route, and where each
 * one's trace is. Pure: no I/O (the budget object's alarm sends it).
 */
import { escapeMrkdwn } from '../../render/text.ts';
import { SEVERITY_MARK, slackCard, type SlackMessage } from './render.ts';
import type { DigestInput } from '../kind.ts';

/** Held pages listed by name in one digest; the rest are counted. */
export const DIGEST_LIST_MAX = 10;

/** The digest: how many pages were held back on which route, and where each one's trace is. */
export function budgetDigest(state: DigestInput): SlackMessage {
  const mark = SEVERITY_MARK.warning;
  const hours = state.perMs / 3_600_000;
  const per = Number.isInteger(hours) ? `${hours === 1 ? '' : `${hours} `}hour${hours === 1 ? '' : 's'}` : `${Math.round(state.perMs / 60_000)} minutes`;
  const title = `${state.heldCount} page${state.heldCount === 1 ? '' : 's'} held back on "${state.route}"`;
  const lines = state.held
    .slice(-DIGEST_LIST_MAX)
    .map(
      (h) =>
        `• \`${escapeMrkdwn(h.type)}\` ${new Date(h.at).toISOString().slice(11, 16)} UTC — trace: \`GET /admin/events/${escapeMrkdwn(h.source)}/${escapeMrkdwn(encodeURIComponent(h.eventId))}\``,
    );
  const more = state.heldCount > lines.length ? `\n…and ${state.heldCount - lines.length} more` : '';
  return slackCard({
    mark,
    title,
    body: `The route's paging budget is ${state.max} per ${per}; these did not page anyone:\n${lines.join('\n')}${more}`,
  });
}
