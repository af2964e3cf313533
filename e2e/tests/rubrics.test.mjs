// 评分细则 in a browser: the administrator makes a revision (草案) of the zone rubric, gives
// 1.2 a parameter the grammar refuses (the message stands beside the rule, the input kept),
// corrects it, saves and publishes; the page then shows the new version in force with the new
// parameter. The page fits a phone: its wide tables scroll inside their cards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, horizontalOverflow, launchBrowser, newPage, PHONE_VIEWPORT, screenshot, startServer } from '../harness.mjs';

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

test('a draft is edited, corrected and published', async () => {
  const page = await newPage(browser);
  try {
    await page.goto(`${server.url}/scoring/rubrics?year=2025&kind=zone`, { waitUntil: 'networkidle' });
    const inForce = (await getJson(server, '/api/v1/rubrics/2025?kind=zone')).version_no;
    await screenshot(page, 'rubric-page');
    await Promise.all([page.waitForURL(/\/edit\?kind=zone$/), page.click('#rubric-new-draft button')]);
    const draft = Number(page.url().match(/versions\/(\d+)\/edit/)[1]);
    assert.ok(draft > inForce);

    await page.fill('[id="params-1.2"]', '目标 90%；低于 一半');
    await Promise.all([page.waitForLoadState('networkidle'), page.click('#rubric-save')]);
    assert.match(await page.locator('[id="params-error-1.2"]').innerText(), /指标 1\.2 参数：第 2 段/);
    assert.equal(await page.inputValue('[id="params-1.2"]'), '目标 90%；低于 一半', 'input kept');
    await screenshot(page, 'rubric-edit-error');

    await page.fill('[id="params-1.2"]', '目标 85%；低于 50% 得 0');
    await Promise.all([page.waitForURL(/version=\d+$/), page.click('#rubric-save')]);
    assert.match(await page.locator('#rubric-status').innerText(), /草案/);
    await Promise.all([page.waitForURL(/\/scoring\/rubrics\?year=2025&kind=zone$/), page.click('#rubric-publish button')]);
    assert.match(await page.locator('#rubric-version h2').innerText(), new RegExp(`第 ${draft} 版\\s*已发布`));
    assert.equal(await page.locator('[id="params-1.2"]').innerText(), '目标 85%；低于 50% 得 0');
    assert.equal((await getJson(server, '/api/v1/rubrics/2025?kind=zone')).version_no, draft);
    // The refused save answered 422 on purpose; nothing else may complain.
    assert.deepEqual(page.__errors.filter((e) => !/status of 422/.test(e)), []);
  } finally {
    await page.close();
  }
});

test('the rubric page fits a phone', async () => {
  const page = await newPage(browser, { mobile: true });
  try {
    await page.goto(`${server.url}/scoring/rubrics?year=2025&kind=zone`, { waitUntil: 'networkidle' });
    const o = await horizontalOverflow(page, PHONE_VIEWPORT.width);
    assert.ok(o.culprits.length === 0 && o.scrollWidth <= o.innerWidth, `nothing sticks out sideways: ${JSON.stringify(o)}`);
    await screenshot(page, 'rubric-page-phone');
    assert.deepEqual(page.__errors, []);
  } finally {
    await page.close();
  }
});
