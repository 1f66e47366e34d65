// `npm run screenshot`: regenerates docs/inbox.png, the README's picture of the local inbox, from the same scene
// the browser test checks (the relay as wrangler bundles it, fed signed vendor events), in Debian's headless
// Chromium. For the emoji to show, install a colour emoji font (apt-get install fonts-noto-color-emoji).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumPath, startScene } from './inbox-scene.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const executablePath = chromiumPath();
if (!executablePath) {
  console.error('screenshot: no chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
  process.exit(1);
}
const scene = await startScene();
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1300 }, deviceScaleFactor: 1 });
  await page.goto(new URL(`/inbox?token=${scene.token}`, scene.url).toString());
  await page.waitForSelector('article.item[data-kind="http"]');
  await page.waitForTimeout(500);
  const out = join(root, 'docs/inbox.png');
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await scene.close();
}
