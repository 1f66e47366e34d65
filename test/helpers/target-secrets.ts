/**
 * Fake target credentials the workerd tests give the Worker as secrets. The fake network answers for these
 * hosts; none of these values is valid anywhere.
 */
export const TARGET_TEST_SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-0000-test-bot-token',
  SLACK_CS_WEBHOOK_URL: 'https://hooks.slack.fake/services/T000/B000/s3cretWebhookPath',
  PAGERDUTY_ROUTING_KEY: 'R0123456789ABCDEF0123456789ABCDE',
  AUDIT_TOKEN: 'audit-bearer-s3cret',
  CRM_API_KEY: 'crm-key-s3cret',
  /** A token-authenticated Prequel source's shared token (test/rules.workerd.yaml). */
  PREQUEL_GET_TOKEN: 'prequel-get-token-s3cret',
  /** The admin API's bearer token. */
  ADMIN_TOKEN: 'test-admin-token-0000',
} as const;
