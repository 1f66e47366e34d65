/**
 * The local inbox in a real browser: Debian's headless Chromium driven by playwright-core (no browser
 * download), against the relay as wrangler bundles it, fed signed vendor events. Checks that each
 * notification is shown as its receiver would show it, live, with its trace one click away.
 * Needs `chromium` (apt-get install chromium); .ci/run installs it and then requires this test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
// @ts-expect-error -- a plain .mjs helper shared with `npm run screenshot`
import { chromiumPath, startScene } from '../../scripts/inbox-scene.mjs';

const executablePath = chromiumPath() as string | null;
if (!executablePath && process.env.SWITCHYARD_BROWSER === 'required') throw new Error('chromium is required here (apt-get install chromium)');

describe.skipIf(!executablePath)('the local inbox in Chromium', () => {
  let scene: {
    url: URL;
    token: string;
    outbound: string[];
    post(source: string, payload: unknown): Promise<unknown>;
    recover(): Promise<void>;
    close(): Promise<void>;
  };
  let browser: Browser;
  let page: Page;
  /** What the page's Content-Security-Policy refused: must stay empty (the page's own code all runs). */
  const violations: string[] = [];

  beforeAll(async () => {
    scene = await startScene();
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await scene?.close();
  });

  it('signs in once with the token, then shows every notification as its receiver would', async () => {
    await page.goto(new URL(`/inbox?token=${scene.token}`, scene.url).toString());
    expect(new URL(page.url()).search).toBe('');
    await page.waitForSelector('article.item[data-kind="http"]');
    expect(await page.content()).not.toContain(scene.token);
    // The strict CSP lets the page's own (nonced) script and styles run, and nothing else.
    expect(violations).toEqual([]);
    expect(
      await page
        .locator('header')
        .evaluate(
          (el) =>
            (el.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor,
        ),
    ).toBe('rgb(63, 14, 64)');

    // Slack: the two failing warehouses as one grouped message, listing both, saying why it was sent.
    const slack = page.locator('article.item[data-target="data-eng"]');
    expect(await slack.count()).toBe(1);
    const header = () => slack.locator('.block-header').first().textContent();
    expect(await header()).toMatch(/2 failing — Every other transfer failure pages on-call/);
    const card = (await slack.textContent()) ?? '';
    expect(card).toContain('prequel-transfer-dst-7f3a');
    expect(card).toContain('prequel-transfer-dst-2b9c');
    expect(card).toContain('first notification');
    expect(await slack.locator('.edited').count()).toBe(0);

    // PagerDuty: one incident for the group (its key is the group's id), not one per warehouse.
    const pages = page.locator('article.item[data-kind="pagerduty"]');
    const groupCard = () => pages.filter({ hasText: '2 failing — Every other transfer failure' });
    expect(await groupCard().count()).toBe(1);
    expect(await groupCard().textContent()).toContain('Incident triggered');
    expect(await pages.count()).toBe(2); // the group's, and the Prelude balance page

    // Both warehouses recover while the page is open: the same message turns resolved in place (green bar,
    // "(edited)", one thread reply), and the group's incident resolves — no reload.
    await scene.recover();
    await expect.poll(header, { timeout: 15_000 }).toMatch(/all 2 recovered — Every other transfer failure/);
    const bar = await slack
      .locator('.attachment')
      .first()
      .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { borderLeftColor: string } }).getComputedStyle(el).borderLeftColor);
    expect(bar).toBe('rgb(46, 182, 125)');
    expect(await slack.locator('.edited').count()).toBe(1);
    expect(await slack.locator('.thread').textContent()).toMatch(/1 reply.*All recovered \(2\)/);
    expect(await slack.count()).toBe(1);
    await expect.poll(async () => (await pages.allTextContents()).filter((t) => t.includes('Incident resolved')).length, { timeout: 15_000 }).toBe(1);
    const resolved = (await pages.allTextContents()).find((t) => t.includes('Incident resolved'))!;
    expect(resolved).toMatch(/trigger .* → resolve /);
    expect(resolved).toContain('Every other transfer failure');
    const cards = await pages.allTextContents();
    expect(cards.some((t) => t.includes('Incident triggered') && t.includes('prelude-balance'))).toBe(true);

    // HTTP: method, URL and headers as written, the credential still a reference.
    const http = page.locator('article.item[data-kind="http"]');
    expect(await http.locator('.line').textContent()).toBe('POST https://audit.example.com/events');
    expect(await http.locator('table').first().textContent()).toContain('Bearer ${AUDIT_TOKEN}');
    // A long body is folded until asked for.
    const fold = http.locator('details.body-fold');
    expect(await fold.locator('summary').textContent()).toMatch(/^body \(\d+ characters\)$/);
    expect(await fold.locator('pre').isVisible()).toBe(false);
    await fold.locator('summary').click();
    expect(await fold.locator('pre').isVisible()).toBe(true);

    // Severity marks are emoji; where no emoji font draws them (stock Debian), they show as text instead.
    const mark = slack.locator('.block-header .emoji').first();
    expect(await mark.getAttribute('data-text')).toBe('[ok]');
    const noEmoji = await page.evaluate('document.body.classList.contains("no-emoji")');
    const size = await mark.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize);
    expect(noEmoji ? size === '0px' : size !== '0px').toBe(true);

    // Filters: by kind, then by target; back to all.
    await page.selectOption('#f-kind', 'pagerduty');
    const visible = (attribute: string) =>
      page
        .locator('article.item')
        .evaluateAll((els, a) => els.filter((e) => !(e as unknown as { hidden: boolean }).hidden).map((e) => e.getAttribute(a)), attribute);
    expect(await visible('data-kind')).toEqual(['pagerduty', 'pagerduty']);
    await page.selectOption('#f-kind', '');
    await page.selectOption('#f-target', 'data-eng');
    expect([...new Set(await visible('data-target'))]).toEqual(['data-eng']);
    await page.selectOption('#f-target', '');

    // Nothing left the machine.
    expect(scene.outbound).toEqual([]);
  });

  it('opens an event’s trace in place: how it was verified, every route’s decision, each delivery', async () => {
    const item = page.locator('article.item[data-target="sms-ops"]');
    await item.locator('a[data-trace]').click();
    const trace = item.locator('.trace');
    await expect.poll(() => trace.textContent()).toMatch(/Verified: signature/);
    const text = (await trace.textContent()) ?? '';
    expect(text).toMatch(/✓ Out of SMS balance - every message will fail until someone tops up/);
    expect(text).toMatch(/sms-ops: delivered/);
    expect(text).toMatch(/oncall: delivered/);
  });

  it('shows a new notification without a reload, newest first', async () => {
    const before = await page.locator('article.item').count();
    await scene.post('prelude', {
      id: 'evt_browser_live_1',
      type: 'transactional.message.failed',
      payload: { reason: 'carrier_rejected', to: '+33612345678', id: 'tx_live' },
      created_at: new Date().toISOString(),
    });
    await expect.poll(() => page.locator('article.item').count(), { timeout: 15_000 }).toBe(before + 1);
    expect(await page.locator('article.item').first().getAttribute('data-target')).toBe('sms-ops');
  });

  it('paints the items on the server: they are in the page with scripts off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const bare = await context.newPage();
    await bare.goto(new URL(`/inbox?token=${scene.token}`, scene.url).toString());
    expect(await bare.locator('article.item[data-kind="slack"]').count()).toBeGreaterThan(0);
    expect(await bare.locator('article.item[data-kind="pagerduty"] .action').allTextContents()).toContain('Incident resolved');
    expect(await bare.locator('article.item[data-kind="http"] .line').first().textContent()).toBe('POST https://audit.example.com/events');
    await context.close();
  });

  it('clears the inbox with one button', async () => {
    expect(await page.locator('article.item').count()).toBeGreaterThan(0);
    await page.click('#clear');
    await expect.poll(() => page.locator('article.item').count()).toBe(0);
    expect(await page.locator('#items .empty').textContent()).toMatch(/^Cleared/);
    await page.reload();
    await page.waitForTimeout(2000); // a poll or two: nothing comes back
    expect(await page.locator('article.item').count()).toBe(0);
  });
});
