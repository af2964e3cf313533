// Every page on a desktop and on a phone: answers 200, has a heading, draws its charts/maps,
// logs no browser errors, and is saved to e2e/screenshots/page-<name>-<desktop|phone>.png for
// people to look at.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, launchBrowser, newPage, screenshot, startServer } from '../harness.mjs';

let server;
let browser;
let villageCode;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // A village in a zone, so its page shows a zone, a history and a yearly chart.
  const list = await getJson(server, '/api/v1/villages?zone=1');
  villageCode = (list.items[0] ?? (await getJson(server, '/api/v1/villages')).items[0]).code;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** [path, screenshot name, selector that appears once the page's scripts have drawn]. */
function pages() {
  return [
    ['/', 'dashboard', '#chart-trend svg'],
    ['/map', 'map', '#map[data-drawn]'],
    ['/zones', 'zones', '#zones-table'],
    ['/zones/1', 'zone-1', '#zone-map svg'],
    ['/zones/new', 'zone-new', '#picker'],
    ['/villages', 'villages', '#village-table table'],
    [`/villages/${villageCode}`, 'village', '#chart-village-years svg'],
    ['/coverage', 'coverage', '#uncovered-list'],
    ['/targets', 'targets', '#targets-table'],
    ['/import', 'import', '#import-years-form'],
    ['/planning', 'planning', '#plan-form'],
    ['/facilities', 'facilities', 'table'],
    ['/services', 'services', '#svc-form'],
  ];
}

for (const mobile of [false, true]) {
  const label = mobile ? 'phone' : 'desktop';
  test(`every page renders without errors (${label}) and is screenshotted`, async () => {
    const page = await newPage(browser, { mobile });
    try {
      const problems = [];
      for (const [path, name, ready] of pages()) {
        const before = page.__errors.length;
        const res = await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
        if (res?.status() !== 200) problems.push(`${path}: answered ${res?.status()}`);
        try {
          await page.waitForSelector(ready, { state: 'attached', timeout: 10_000 });
        } catch {
          problems.push(`${path}: ${ready} did not appear within 10 s`);
        }
        const h1 = (await page.locator('h1').first().innerText().catch(() => '')).trim();
        if (!h1) problems.push(`${path}: no <h1> text`);
        if (!/共富/.test(await page.title())) problems.push(`${path}: <title> lacks 共富`);
        await page.waitForTimeout(300); // let ECharts finish its entry animation
        await screenshot(page, `page-${name}-${label}`);
        for (const e of page.__errors.slice(before)) problems.push(`${path}: ${e}`);
      }
      assert.deepEqual(problems, [], `problems on ${label}`);
    } finally {
      await page.close();
    }
  });
}
