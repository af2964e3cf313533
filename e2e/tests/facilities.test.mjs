// 设施台账 in a browser: /facilities lists the demo facilities, choosing a type narrows the
// table in place (htmx) and keeps the export link in step, a facility's page shows its facts,
// status form and history; the zone page shows the 一片一标准 checklist. Desktop and phone are
// screenshotted; no browser errors, and nothing sticks out sideways on the phone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE_VIEWPORT,
  getJson,
  horizontalOverflow,
  launchBrowser,
  newPage,
  screenshot,
  startServer,
} from '../harness.mjs';

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

/** The number in 「共 N 处」 above the table. */
async function shownTotal(page) {
  const t = await page.locator('#facility-total').innerText();
  const m = /共\s*(\d+)\s*处/.exec(t);
  assert.ok(m, `#facility-total should read 共 N 处, reads: ${t}`);
  return Number(m[1]);
}

test('filter the facilities by type and open one (desktop)', async () => {
  const all = await getJson(server, '/api/v1/facilities');
  const clinics = await getJson(server, '/api/v1/facilities?type=clinic');
  assert.ok(clinics.total > 0 && clinics.total < all.total, 'the demo has some clinics among other facilities');

  const page = await newPage(browser);
  try {
    const res = await page.goto(`${server.url}/facilities`, { waitUntil: 'networkidle' });
    assert.equal(res?.status(), 200, `GET /facilities answered ${res?.status()}`);
    assert.equal(await shownTotal(page), all.total, 'unfiltered total');
    assert.equal(await page.locator('.fac-counts .kpi').count(), 10, 'one count card per facility type');
    await screenshot(page, 'facilities-desktop');

    // Choosing a type refreshes the table in place.
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/facilities' && r.request().headers()['hx-request'] === 'true'),
      page.selectOption('#f-type', 'clinic'),
    ]);
    await page.waitForFunction(
      (n) => /共\s*(\d+)\s*处/.exec(document.querySelector('#facility-total')?.textContent ?? '')?.[1] === String(n),
      clinics.total,
    );
    assert.equal(await shownTotal(page), clinics.total, 'total after choosing 卫生室');
    const kinds = await page.$$eval('#facilities-table tbody tr td:first-child', (tds) => [...new Set(tds.map((t) => t.textContent.trim()))]);
    assert.equal(kinds.length, 1, `only one type should be listed, got ${kinds.join(',')}`);
    assert.match(await page.getAttribute('#facility-export', 'href'), /type=clinic/, 'the export link follows the filter');
    assert.match(page.url(), /type=clinic/, 'the address keeps the filter');
    await screenshot(page, 'facilities-clinics-desktop');

    // Open the first one.
    const first = clinics.items[0];
    await Promise.all([page.waitForLoadState('load'), page.click(`#facilities-table a[href="/facilities/${first.id}"]`)]);
    assert.equal(new URL(page.url()).pathname, `/facilities/${first.id}`);
    assert.ok((await page.locator('h1').innerText()).includes(first.name), 'h1 names the facility');
    assert.ok(await page.locator('#facility-facts').isVisible(), 'facts shown');
    assert.ok((await page.locator('body').innerText()).includes('变更记录'), 'history shown');
    // Every demo status has a next move (停用 → 运行), so the administrator sees the form.
    assert.equal(await page.locator('#facility-status-form').count(), 1, 'the administrator sees the status form');
    await screenshot(page, 'facility-desktop');

    // The zone page shows the checklist.
    await page.goto(`${server.url}/zones/1`, { waitUntil: 'networkidle' });
    assert.ok(await page.locator('#zone-infra').isVisible(), '#zone-infra on the zone page');
    assert.ok(await page.locator('#zone-facilities').isVisible(), '#zone-facilities on the zone page');
    await screenshot(page, 'zone-infra-desktop');

    // A village's infrastructure: save one item through its inline form.
    const village = (await getJson(server, '/api/v1/villages?zone=1')).items[0].code;
    await page.goto(`${server.url}/villages/${village}`, { waitUntil: 'networkidle' });
    const row = page.locator('#infra-gas');
    await row.locator('select[name=status]').selectOption('non_compliant');
    await row.locator('input[name=gap]').fill('燃气管网距村约 2 公里（端到端测试）');
    await Promise.all([page.waitForLoadState('load'), row.locator('button[type=submit]').click()]);
    await page.waitForSelector('#infra-gas');
    assert.ok(
      (await page.locator('#infra-gas').innerText()).includes('燃气管网距村约 2 公里（端到端测试）'),
      'the saved gap is shown in the row',
    );
    await screenshot(page, 'village-infra-desktop');
    assert.deepEqual(page.__errors, [], 'browser reported errors');
  } finally {
    await page.close();
  }
});

test('the facilities pages fit a phone', async () => {
  const clinics = await getJson(server, '/api/v1/facilities?type=clinic');
  const village = (await getJson(server, '/api/v1/villages?zone=1')).items[0].code;
  const page = await newPage(browser, { mobile: true });
  try {
    const problems = [];
    for (const [path, name] of [
      ['/facilities', 'facilities-phone'],
      [`/facilities/${clinics.items[0].id}`, 'facility-phone'],
      ['/facilities/new', 'facility-new-phone'],
      ['/zones/1', 'zone-infra-phone'],
      [`/villages/${village}`, 'village-infra-phone'],
    ]) {
      const res = await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
      if (res?.status() !== 200) problems.push(`${path}: answered ${res?.status()}`);
      const o = await horizontalOverflow(page, PHONE_VIEWPORT.width);
      if (o.culprits.length) problems.push(`${path}: sticks out: ${o.culprits.join(', ')}`);
      await screenshot(page, name);
    }
    assert.deepEqual(problems, [], 'phone problems');
    assert.deepEqual(page.__errors, [], 'browser reported errors');
  } finally {
    await page.close();
  }
});
