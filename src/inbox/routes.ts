/**
 * The local inbox over HTTP: GET /inbox (the page, its items rendered on the server), GET /inbox/fragment (the
 * list alone, for live updates), GET /inbox/items?since=<ms> (what changed, newest first, as JSON),
 * DELETE /inbox/items (clear it).
 * Off (404) unless `INBOX=on`; behind the admin token when on. A browser opens `/inbox?token=<ADMIN_TOKEN>`
 * once: the token becomes an HttpOnly, same-site cookie and the address bar drops it.
 */
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { Env } from '../core/env.ts';
import { INBOX_NAME } from '../state/inbox.ts';
import { inboxEnabled } from '../pipeline/inbox-sink.ts';
import { tokensMatch } from '../sources/token.ts';
import { inboxPage } from './page.ts';
import { renderInboxItems } from './render.ts';
import type { InboxItem } from '../core/delivery.ts';
import { targetKinds } from '../targets/registry.ts';

const inboxOf = (env: Env) => env.INBOXES.getByName(INBOX_NAME);

type InboxEnv = { Bindings: Env; Variables: { secureHeadersNonce?: string } };

/**
 * The page shows what vendors sent: a strict Content-Security-Policy keeps any markup that slipped through
 * from running (scripts and style sheets only with this response's nonce, fetches only to this origin), and
 * the page cannot be framed (clickjacking).
 */
const inboxSecurity = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: [NONCE],
    styleSrc: [NONCE],
    styleSrcAttr: ["'unsafe-inline'"],
    connectSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  xFrameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
});

export const ADMIN_COOKIE = 'switchyard_admin';
/** The newest items the page shows. */
const PAGE_ITEMS = 200;

/** The admin token a request presents: bearer header, or (for reads from the inbox page) the cookie. */
export function presentedToken(c: Context, allowCookie: boolean): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? (allowCookie ? getCookie(c, ADMIN_COOKIE) : undefined);
}

export function createInboxApp(): Hono<InboxEnv> {
  const inbox = new Hono<InboxEnv>();
  const fail = (c: Context<InboxEnv>, status: 401 | 403 | 404, reason: string, message: string) => c.json({ ok: false, error: { reason, message } }, status);

  inbox.use('*', inboxSecurity);
  inbox.use('*', async (c, next) => {
    if (!inboxEnabled(c.env.INBOX))
      return fail(c, 404, 'inbox_off', 'the local inbox is off: set INBOX=on (npm run dev does) to send notifications of targets without credentials here');
    const expected = c.env.ADMIN_TOKEN;
    if (typeof expected !== 'string' || expected === '')
      return fail(c, 403, 'admin_disabled', 'the inbox needs the ADMIN_TOKEN secret (npm run dev generates one)');
    const fromQuery = c.req.query('token');
    if (fromQuery !== undefined) {
      if (!(await tokensMatch(fromQuery, expected))) return fail(c, 401, 'bad_admin_token', 'wrong token');
      setCookie(c, ADMIN_COOKIE, expected, { httpOnly: true, sameSite: 'Strict', path: '/', secure: new URL(c.req.url).protocol === 'https:' });
      return c.redirect(new URL(c.req.url).pathname, 303);
    }
    const presented = presentedToken(c, true);
    if (!presented || !(await tokensMatch(presented, expected))) {
      if ((c.req.header('accept') ?? '').includes('text/html')) return c.html(withNonce(TOKEN_FORM, c.get('secureHeadersNonce')), 401);
      return fail(c, 401, 'bad_admin_token', 'open /inbox?token=<ADMIN_TOKEN> once (the token is in .dev.vars), or send Authorization: Bearer <ADMIN_TOKEN>');
    }
    await next();
  });

  // Rendered on the server: the first paint holds the items, before any script runs.
  inbox.get('/', async (c) => {
    const items = (await inboxOf(c.env).list(0, PAGE_ITEMS)) as InboxItem[];
    const since = items.reduce((m, i) => Math.max(m, i.updatedAt), 0);
    return c.html(withNonce(inboxPage(renderInboxItems(items), since, targetKinds()), c.get('secureHeadersNonce')));
  });

  /** The list alone, as the page shows it: what a live update swaps in. */
  inbox.get('/fragment', async (c) => c.html(renderInboxItems((await inboxOf(c.env).list(0, PAGE_ITEMS)) as InboxItem[])));

  inbox.delete('/items', async (c) => {
    const removed = await inboxOf(c.env).clear();
    return c.json({ ok: true, removed });
  });

  inbox.get('/items', async (c) => {
    const since = Number(c.req.query('since') ?? '0');
    const items = await inboxOf(c.env).list(Number.isFinite(since) ? since : 0, 200);
    return c.json({ ok: true, items });
  });

  return inbox;
}

/** Marks the page's own <script> and <style> elements with this response's CSP nonce. */
function withNonce(html: string, nonce: string | undefined): string {
  return nonce ? html.replace(/<(script|style)>/g, `<$1 nonce="${nonce}">`) : html;
}

const TOKEN_FORM = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchyard — local inbox</title>
<style>body{font:15px -apple-system,"Segoe UI",Roboto,sans-serif;display:flex;justify-content:center;padding-top:15vh;background:#f8f8f8}
form{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:24px 28px;max-width:460px}input{box-sizing:border-box;width:100%;padding:8px;margin:10px 0;font:14px Menlo,monospace}
button{padding:8px 16px;background:#4a154b;color:#fff;border:0;border-radius:4px;font-weight:600}code{background:#f3f3f3;padding:1px 4px}h2{margin-top:0}</style></head>
<body><form method="get" action="/inbox"><h2>Switchyard — local inbox</h2>
<p>Paste the admin token: <code>ADMIN_TOKEN</code> in <code>.dev.vars</code> (<code>npm run dev</code> generated it).</p>
<input name="token" type="password" autocomplete="off" autofocus aria-label="admin token"><button type="submit">Open the inbox</button></form></body></html>`;
