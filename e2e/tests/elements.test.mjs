// 共富元素 in a browser: a workshop registered in a zone's village (through the API, from the
// signed-in page) appears as a ◆ on 一张图 when the 共富元素 layer is switched on, and in the
// zone page's 指标数据 as 共富工坊数量 and 吸纳就业人数.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, launchBrowser, newPage, screenshot, startServer } from '../harness.mjs';

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

test('a new workshop shows on the map and in the zone figures', async () => {
  const zones = await getJson(server, '/api/v1/zones');
  const zone = zones.items[0];
  const detail = await getJson(server, `/api/v1/zones/${zone.id}`);
  const village = detail.members[0].village.code;
  const before = await getJson(server, `/api/v1/indicators?zone=${zone.id}`);
  const workshopsBefore = before.indicators.find((f) => f.key === 'workshops').value;
  const page = await newPage(browser);
  try {
    await page.goto(`${server.url}/map`, { waitUntil: 'networkidle' });
    const name = `e2e香榧共富工坊${Date.now() % 100000}`;
    const [status, body] = await page.evaluate(async (b) => {
      const csrf = document.querySelector('meta[name="csrf-token"]').content;
      const r = await fetch('/api/v1/elements', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(b),
      });
      return [r.status, await r.json()];
    }, { type: '共富工坊', name, village_code: village, opened_on: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10), jobs: '36', low_income_jobs: '9' });
    assert.equal(status, 201, JSON.stringify(body));

    await page.reload({ waitUntil: 'networkidle' });
    await page.waitForFunction(() => document.getElementById('map').dataset.drawn);
    await page.check('#map-elements');
    await page.waitForFunction(() => document.getElementById('map').dataset.elements);
    await page.waitForFunction((n) => [...document.querySelectorAll('#map svg text')].some((t) => t.textContent.includes(n)), name);
    await screenshot(page, 'map-elements');

    await page.goto(`${server.url}/zones/${zone.id}`, { waitUntil: 'networkidle' });
    const figures = await page.locator('#zone-figures').innerText();
    assert.match(figures, new RegExp(`共富工坊数量\\s+${workshopsBefore + 1} 个`));
    assert.match(figures, /吸纳就业人数/);
    assert.deepEqual(page.__errors, []);
  } finally {
    await page.close();
  }
});
