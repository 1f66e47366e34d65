/**
 * Each kind paces its sends where the receiver's rate limit is: Slack per channel (bot) or per webhook,
 * PagerDuty per routing key and Events API host — whatever the targets are called.
 */
import { describe, expect, it } from 'vitest';
import { kindOf } from './registry.ts';
import type { PagerDutyTargetConfig } from './pagerduty/config.ts';
import type { SlackTargetConfig } from './slack/config.ts';

const pd = (routingKey: string, server: string | null = null): PagerDutyTargetConfig => ({ kind: 'pagerduty', routingKey, server });
const bot = (channel: string): SlackTargetConfig => ({ kind: 'slack', mode: 'bot', token: '${SLACK_BOT_TOKEN}', channel, apiUrl: null, templates: {} });

describe('pacing keys', () => {
  it('PagerDuty: two targets on one routing key share a pace; another key or another host does not', () => {
    const receiver = (c: PagerDutyTargetConfig, name: string) => kindOf('pagerduty').pace.receiver(c, name);
    expect(receiver(pd('${PAGERDUTY_ROUTING_KEY}'), 'oncall')).toBe(receiver(pd('${PAGERDUTY_ROUTING_KEY}'), 'oncall-critical'));
    expect(receiver(pd('${PAGERDUTY_ROUTING_KEY}'), 'oncall')).not.toBe(receiver(pd('${PD_DATA_TEAM_KEY}'), 'oncall'));
    expect(receiver(pd('${PAGERDUTY_ROUTING_KEY}'), 'oncall')).not.toBe(receiver(pd('${PAGERDUTY_ROUTING_KEY}', 'events.eu.pagerduty.com'), 'oncall'));
    // The key is the secret's name as written in rules.yaml, never its value.
    expect(receiver(pd('${PAGERDUTY_ROUTING_KEY}'), 'oncall')).toBe('pagerduty:events.pagerduty.com:${PAGERDUTY_ROUTING_KEY}');
  });

  it('Slack (bot): one pace per channel, whichever target posts there', () => {
    const receiver = (c: SlackTargetConfig, name: string) => kindOf('slack').pace.receiver(c, name);
    expect(receiver(bot('#data-eng-alerts'), 'data-eng')).toBe(receiver(bot('#data-eng-alerts'), 'data-eng-digest'));
    expect(receiver(bot('#data-eng-alerts'), 'data-eng')).not.toBe(receiver(bot('#sms-ops'), 'data-eng'));
  });
});
