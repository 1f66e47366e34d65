/**
 * The HTTP target kind: a request to any endpoint — a JSON body (POST/PUT/PATCH) or query parameters (GET),
 * optionally signed with Standard Webhooks so the receiver can verify us.
 */
import type { TargetKind } from '../kind.ts';
import { prepare } from '../../render/overrides.ts';
import { httpSchema, httpProblems, toHttpConfig, type HttpTargetConfig, type HttpTargetInput } from './config.ts';
import { renderHttpGroup } from './group.ts';
import { httpView } from './inbox.ts';
import { renderHttp, type HttpRequestSpec } from './render.ts';
import { sendHttp } from './send.ts';

export const http: TargetKind<HttpTargetConfig, HttpRequestSpec, HttpTargetInput> = {
  kind: 'http',
  label: 'HTTP',
  config: { schema: httpSchema, problems: httpProblems, toConfig: toHttpConfig },
  credentials: (c) => [c.url, ...Object.values(c.headers), ...(c.signingSecret ? [c.signingSecret] : [])],
  render: (config, input) => renderHttp(input, config),
  send: (spec, config, ctx) => sendHttp(spec, config, ctx),
  preview: (s) => `HTTP ${s.method} ${s.body !== null ? `${s.body.length} bytes of ${s.contentType}` : `${s.query.length} query parameters`}`,
  // No pacing unless the target asks for it (`pace:`).
  pace: { defaultMs: 0, receiver: (_c, name) => `http:${name}` },
  group: (config, { flush, targetName, render }) => renderHttpGroup(flush, config, targetName, prepare(render)),
  inbox: {
    // The request as written: its URL and headers with `${NAME}` left in, never the secrets.
    payload: (config, spec) => ({
      ...spec,
      url: config.url,
      headers: { ...(spec.contentType ? { 'content-type': spec.contentType } : {}), ...config.headers },
    }),
    answer: () => ({ status: 200, receipt: null }),
    view: (item) => httpView(item),
  },
};
