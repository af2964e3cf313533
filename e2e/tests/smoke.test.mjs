// Smoke test: the demo server starts, the home page renders in Chromium with a title
// containing 共富, and nothing errors in the browser console.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, screenshot, startServer } from '../harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const mobile of [false, true]) {
  const label = mobile ? 'phone' : 'desktop';

  test(`home page (${label}): title has 共富, no console errors`, async () => {
    const page = await newPage(browser, { mobile });
    try {
      const res = await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
      assert.ok(res, 'no response for /');
      assert.equal(res.status(), 200, `GET / answered ${res.status()}`);

      const title = await page.title();
      assert.match(title, /共富/, `<title> is ${JSON.stringify(title)}`);

      await screenshot(page, `smoke-home-${label}`);
      assert.deepEqual(page.__errors, [], 'browser reported errors');
    } finally {
      await page.close();
    }
  });
}
