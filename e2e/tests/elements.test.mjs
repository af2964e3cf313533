// 共富元素 in a browser: a workshop registered through the form in a zone's village (a bad
// number first is refused with the input kept) appears as a ◆ on 一张图 when the 共富元素 layer is switched on, and in the
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
    const name = `e2e香榧共富工坊${Date.now() % 100000}`;
    // Through the form: a bad row first (more low-income jobs than jobs), then right.
    let res = await page.goto(`${server.url}/elements/new`, { waitUntil: 'networkidle' });
    assert.equal(res?.status(), 200);
    await page.selectOption('select[name=type]', 'workshop');
    await page.fill('input[name=name]', name);
    await page.selectOption('select[name=village_code]', village);
    await page.fill('input[name=jobs]', '36');
    await page.fill('input[name=low_income_jobs]', '40');
    await Promise.all([page.waitForLoadState('networkidle'), page.click('#element-submit')]);
    assert.match(await page.locator('#form-errors').innerText(), /不能超过吸纳就业人数/);
    assert.equal(await page.inputValue('input[name=name]'), name, 'input kept');
    await page.fill('input[name=low_income_jobs]', '9');
    await Promise.all([page.waitForURL(`${server.url}/elements`), page.click('#element-submit')]);
    assert.match(await page.locator('#elements-table').innerText(), new RegExp(name));

    await page.goto(`${server.url}/map`, { waitUntil: 'networkidle' });
    await page.waitForFunction(() => document.getElementById('map').dataset.drawn);
    await page.check('#map-elements');
    await page.waitForFunction(() => document.getElementById('map').dataset.elements);
    await page.waitForFunction((n) => [...document.querySelectorAll('#map svg text')].some((t) => t.textContent.includes(n)), name);
    await screenshot(page, 'map-elements');

    await page.goto(`${server.url}/zones/${zone.id}`, { waitUntil: 'networkidle' });
    const figures = await page.locator('#zone-figures').innerText();
    assert.match(figures, new RegExp(`共富工坊数量\\s+${workshopsBefore + 1} 个`));
    assert.match(figures, /吸纳就业人数/);
    // The refused form answered 422 on purpose; nothing else may complain.
    assert.deepEqual(page.__errors.filter((e) => !/status of 422/.test(e)), []);
  } finally {
    await page.close();
  }
});
