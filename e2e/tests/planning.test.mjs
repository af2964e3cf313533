// 片区规划 in the browser: run the planner from the form, watch it finish, see both maps drawn
// with every village of the district, the per-zone table and the comparison with today's
// zones; save the proposal as a scenario and find the adopt button on its page. On a phone
// the form and result fit the screen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, horizontalOverflow, launchBrowser, newPage, screenshot, startServer } from '../harness.mjs';

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

test('run the planner, read the result, save it as a scenario', async () => {
  const coverage = await getJson(server, '/api/v1/coverage');
  const page = await newPage(browser);
  const res = await page.goto(`${server.url}/planning`, { waitUntil: 'networkidle' });
  assert.equal(res?.status(), 200);
  await page.fill('input[name="k"]', '20');
  await page.fill('input[name="strong_income_wan"]', '150');
  const strong = await page.textContent('#strong-count');
  assert.match(strong, /有 \d+ 个村达到此标准/);
  await page.click('#plan-run');
  await page.waitForSelector('#plan-result:not([hidden])', { timeout: 60_000 });
  await page.waitForFunction(() => document.getElementById('plan-map-proposal').dataset.drawn, null, { timeout: 30_000 });
  const drawn = await page.$eval('#plan-map-proposal', (el) => Number(el.dataset.drawn));
  assert.equal(drawn, coverage.total, 'the proposal map shows every village of the district');
  const rows = await page.$$eval('#plan-zones tbody tr', (trs) => trs.length);
  assert.equal(rows, 20);
  const overall = await page.textContent('#plan-overall');
  assert.match(overall, /有强村带动的片区/);
  assert.match(await page.textContent('#plan-status-text'), /规划完成：20 个片区/);
  await screenshot(page, 'planning-result');

  await page.fill('#plan-save input[name="name"]', '浏览器测试方案');
  await Promise.all([page.waitForURL(/\/planning\/scenarios\/\d+$/), page.click('#plan-save button')]);
  await page.waitForFunction(() => document.getElementById('plan-map-proposal').dataset.drawn);
  assert.match(await page.textContent('h1'), /浏览器测试方案/);
  assert.ok(await page.$('#adopt'), 'an administrator sees 采纳方案');
  await screenshot(page, 'planning-scenario');
  assert.deepEqual(page.__errors, []);
  await page.close();
});

test('a bad request shows the reasons in Chinese', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/planning`, { waitUntil: 'networkidle' });
  await page.check('input[name="mode"][value="maxp"]');
  await page.click('#plan-run');
  await page.waitForSelector('#plan-errors:not([hidden])');
  assert.match(await page.textContent('#plan-errors'), /规模下限/);
  const errors = page.__errors.filter((e) => !/status of 422/.test(e));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the planning page fits a phone', async () => {
  const page = await newPage(browser, { mobile: true });
  await page.goto(`${server.url}/planning`, { waitUntil: 'networkidle' });
  const o = await horizontalOverflow(page, 390);
  assert.ok(o.scrollWidth <= 392, `overflows: ${JSON.stringify(o)}`);
  await screenshot(page, 'planning-phone');
  await page.close();
});
