// 服务覆盖与设施选址 in the browser: today's coverage of a service, then a proposal of new
// sites — a hub and service points starred on the map, coverage before / after, the gain and
// the proven gap; on a phone the page fits the screen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { horizontalOverflow, launchBrowser, newPage, screenshot, startServer } from '../harness.mjs';

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

test('today’s coverage, then proposed sites with their gain and gap', async () => {
  const page = await newPage(browser);
  const res = await page.goto(`${server.url}/services`, { waitUntil: 'networkidle' });
  assert.equal(res?.status(), 200);
  await page.selectOption('select[name="type"]', 'elderly_care');
  await page.fill('input[name="radius_m"]', '1500');
  await page.click('#svc-today');
  await page.waitForFunction(() => document.getElementById('svc-map').dataset.drawn);
  assert.match(await page.textContent('#svc-before'), /%$/);
  assert.match(await page.textContent('#svc-method'), /直线/);
  await page.fill('input[name="p"]', '3');
  await page.click('#svc-plan');
  await page.waitForFunction(() => /\+/.test(document.getElementById('svc-gain').textContent));
  const rows = await page.$$eval('#svc-sites tbody tr', (trs) => trs.map((t) => t.textContent));
  assert.equal(rows.length, 3);
  assert.equal(rows.filter((r) => r.includes('中心服务区')).length, 1);
  assert.match(await page.textContent('#svc-gap'), /可证明/);
  await page.waitForTimeout(500);
  await screenshot(page, 'services-proposal');
  assert.deepEqual(page.__errors, []);
  await page.close();
});

test('minutes at a speed are explained, and the page fits a phone', async () => {
  const page = await newPage(browser, { mobile: true });
  await page.goto(`${server.url}/services`, { waitUntil: 'networkidle' });
  await page.check('input[name="reach"][value="minutes"]');
  await page.click('#svc-today');
  await page.waitForSelector('#svc-result:not([hidden])');
  assert.match(await page.textContent('#svc-method'), /绕行/);
  const o = await horizontalOverflow(page, 390);
  assert.ok(o.scrollWidth <= 392, `overflows: ${JSON.stringify(o)}`);
  await screenshot(page, 'services-phone');
  await page.close();
});

test('a zone proposal is saved into the zone plan and shown there', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/services`, { waitUntil: 'networkidle' });
  const zone = await page.$eval('select[name="zone"] option:nth-child(2)', (o) => o.value);
  await page.selectOption('select[name="zone"]', zone);
  await page.selectOption('select[name="type"]', 'clinic');
  await page.fill('input[name="radius_m"]', '1500');
  await page.fill('input[name="p"]', '2');
  await page.click('#svc-plan');
  await page.waitForSelector('#svc-save:not([hidden])');
  await page.click('#svc-save-button');
  const link = await page.waitForSelector('#svc-saved-link');
  assert.match(await page.textContent('#svc-save-note'), /已保存到第 \d+ 版片区规划/);
  await Promise.all([page.waitForURL(/\/zones\/\d+\/plan/), link.click()]);
  await page.waitForLoadState('networkidle');
  const text = await page.locator('#draft').innerText();
  assert.match(text, /公共服务布局/);
  assert.match(text, /卫生/);
  assert.match(text, /中心服务区/);
  await screenshot(page, 'plan-service-layout');
  assert.deepEqual(page.__errors, []);
  await page.close();
});
