/**
 * Checks what the relay sends against what the vendors accept, for Node tests: Slack's Block Kit JSON Schema
 * and PagerDuty's Events v2 OpenAPI request schema as published by others (read from ../shared/schemas, the
 * project's shared folder, when it is there; never copied into the project), plus the limits neither schema
 * encodes (50 blocks a message, the fallback text, http(s)-only links, PagerDuty's summary and dedup key).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import type { SlackMessage } from '../../src/targets/slack/render.ts';
import type { PagerDutyEvent } from '../../src/targets/pagerduty/render.ts';

const SCHEMAS = resolve(import.meta.dirname, '../../../shared/schemas');
const SLACK_SCHEMA = resolve(SCHEMAS, 'slack-block-kit.schema.json');
const PD_SCHEMA = resolve(SCHEMAS, 'pagerduty-events-v2.openapiv3.json');

/** Whether the published schemas are beside the project (they are on the team's machines and in CI). */
export const PUBLISHED_SCHEMAS = existsSync(SLACK_SCHEMA) && existsSync(PD_SCHEMA);

const isHttpUrl = (s: string): boolean => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
};

let slackBlocks: ValidateFunction | null = null;
let pdRequest: ValidateFunction | null = null;
if (PUBLISHED_SCHEMAS) {
  const ajv2020 = new Ajv2020({ allErrors: true, strict: false });
  ajv2020.addFormat('uri', (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s));
  slackBlocks = ajv2020.compile(JSON.parse(readFileSync(SLACK_SCHEMA, 'utf8')) as object);

  // The request body of POST /v2/enqueue, its component $refs made local definitions.
  const openapi = JSON.parse(readFileSync(PD_SCHEMA, 'utf8')) as {
    paths: Record<string, { post: { requestBody: { content: Record<string, { schema: object }> } } }>;
    components: { schemas: Record<string, object> };
  };
  const rewrite = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(rewrite)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' ? x.replace('#/components/schemas/', '#/definitions/') : rewrite(x)]),
          )
        : v;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s));
  ajv.addFormat('url', isHttpUrl);
  pdRequest = ajv.compile({
    ...(rewrite(openapi.paths['/enqueue']!.post.requestBody.content['application/json']!.schema) as object),
    definitions: rewrite(openapi.components.schemas),
  });
}

const errorsOf = (v: ValidateFunction): string[] => (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);

/** Every way a Slack message would be refused (or render wrong); empty when it is fine. */
export function slackProblems(message: SlackMessage): string[] {
  const problems: string[] = [];
  if (typeof message.text !== 'string' || message.text.length === 0) problems.push('text: the fallback is required');
  else if (message.text.length > 40_000) problems.push('text: over 40,000 characters');
  for (const [i, a] of message.attachments.entries()) {
    if (!/^#[0-9A-Fa-f]{6}$/.test(a.color)) problems.push(`attachments[${i}].color: not a hex colour`);
    if (a.blocks.length > 50) problems.push(`attachments[${i}]: ${a.blocks.length} blocks (at most 50)`);
    if (slackBlocks && !slackBlocks(a.blocks)) problems.push(...errorsOf(slackBlocks).map((e) => `attachments[${i}].blocks${e}`));
    for (const [j, b] of (
      a.blocks as { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { url?: string; text?: unknown }[] }[]
    ).entries()) {
      const at = `attachments[${i}].blocks[${j}]`;
      if (b.type === 'header' && b.text!.text.length > 150) problems.push(`${at}: header over 150`);
      if (b.type === 'section' && b.text && b.text.text.length > 3000) problems.push(`${at}: section text ${b.text.text.length} > 3000`);
      if (b.fields && b.fields.length > 10) problems.push(`${at}: more than 10 fields`);
      for (const f of b.fields ?? []) if (f.text.length > 2000) problems.push(`${at}: field over 2000`);
      for (const e of b.elements ?? [])
        if (e.url !== undefined && (!isHttpUrl(e.url) || e.url.length > 3000)) problems.push(`${at}: button url ${e.url.slice(0, 40)}`);
    }
  }
  return problems;
}

/** Every way a PagerDuty event would be refused; empty when it is fine. The routing key is added at send time. */
export function pagerDutyProblems(event: PagerDutyEvent): string[] {
  const problems: string[] = [];
  const body = { ...event, routing_key: 'R0000000000000000000000000000000' };
  if (pdRequest && !pdRequest(body)) problems.push(...errorsOf(pdRequest));
  if (event.dedup_key.length === 0 || event.dedup_key.length > 255) problems.push(`dedup_key: ${event.dedup_key.length} characters (1–255)`);
  if (event.payload && event.payload.summary.length > 1024) problems.push(`payload.summary: ${event.payload.summary.length} > 1024`);
  for (const l of event.links ?? []) if (!isHttpUrl(l.href)) problems.push(`links: ${l.href.slice(0, 40)} is not http(s)`);
  if (JSON.stringify(body).length > 512 * 1024) problems.push('over 512 KB');
  return problems;
}
