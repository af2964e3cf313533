// 片区工作 in a browser: the district administrator records a joint-committee meeting with two
// decisions, turns the first into an action item assigned to the demo village account with a
// due day already past, and the village cadre — signed in on a phone — finds it under 我的待办
// on the home page marked overdue, closes it with a result, and the meeting page shows it
// done. The hub, the meeting, a project and the chain are screenshotted; no browser errors,
// nothing sticks out sideways on the phone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP_VIEWPORT,
  PHONE_VIEWPORT,
  getJson,
  horizontalOverflow,
  launchBrowser,
  newPage,
  screenshot,
  signIn,
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

/** A page signed in as `username` (a demo account), on a phone when `mobile`. */
async function pageAs(username, { mobile = false } = {}) {
  const page = await newPage(browser, { mobile, signedIn: false });
  const cookie = await signIn(server.url, username);
  const [name, value] = cookie.split(/=(.*)/s);
  await page.context().addCookies([{ name, value, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
  return page;
}

function daysAgo(n) {
  const d = new Date(Date.now() + 8 * 3600_000 - n * 86_400_000); // Beijing day
  return d.toISOString().slice(0, 10);
}

test('a meeting decision becomes an action item its owner sees and closes', async () => {
  const zones = await getJson(server, '/api/v1/zones');
  const zone = zones.items[0];
  const title = `e2e 工作推进会 ${Date.now()}`;
  const task = '完成加工中心选址比选报告';

  const admin = await newPage(browser);
  try {
    let res = await admin.goto(`${server.url}/meetings/new?zone=${zone.id}`, { waitUntil: 'networkidle' });
    assert.equal(res?.status(), 200);
    await admin.fill('input[name=held_on]', daysAgo(3));
    await admin.fill('input[name=title]', title);
    await admin.fill('textarea[name=attendees]', '王镇长（镇政府）\n李科长（区农业农村局）');
    await admin.fill('textarea[name=minutes]', '研究加工中心选址与运营公司组建。');
    await admin.fill('#decisions-input', `1. ${task}\n2. 成立片区运营公司`);
    await Promise.all([admin.waitForURL(/\/meetings\/\d+$/), admin.click('#meeting-submit')]);
    assert.match(await admin.locator('h1').innerText(), new RegExp(title));
    assert.equal(await admin.locator('.decision').count(), 2, 'two decisions recorded');

    // 转为待办 on the first decision: owner unit, the village account, a due day already past.
    const first = admin.locator('.decision').first();
    await first.locator('summary').click();
    await first.locator('input[name=owner_unit]').fill('某村村民委员会');
    const villageOption = await first
      .locator('select[name=owner_user] option')
      .filter({ hasText: '村用户' })
      .first()
      .getAttribute('value');
    assert.ok(villageOption, 'the village demo account can be chosen');
    await first.locator('select[name=owner_user]').selectOption(villageOption);
    await first.locator('input[name=due]').fill(daysAgo(1));
    await Promise.all([admin.waitForLoadState('networkidle'), first.locator('button', { hasText: '转为待办' }).click()]);
    const row = admin.locator('.decision').first().locator('.action-table tbody tr');
    await row.first().waitFor();
    assert.match(await row.first().innerText(), /逾期 1 天/);
    await screenshot(admin, 'meeting-desktop');
    assert.deepEqual(admin.__errors, []);
  } finally {
    await admin.close();
  }

  // The village cadre on a phone: the home page lists it under 我的待办, overdue.
  const cadre = await pageAs('village', { mobile: true });
  try {
    const res = await cadre.goto(`${server.url}/`, { waitUntil: 'networkidle' });
    assert.equal(res?.status(), 200);
    const mine = cadre.locator('#my-actions');
    await mine.waitFor();
    const item = mine.locator('tr', { hasText: task });
    assert.equal(await item.count(), 1, '我的待办 shows the item');
    assert.match(await item.innerText(), /逾期 1 天/);
    await screenshot(cadre, 'home-my-actions-phone');
    const overflow = await horizontalOverflow(cadre, PHONE_VIEWPORT.width);
    assert.ok(overflow.culprits.length === 0 && overflow.scrollWidth <= overflow.innerWidth, `nothing sticks out sideways: ${JSON.stringify(overflow)}`);
    await item.locator('select[name=status]').selectOption('done');
    await item.locator('input[name=result]').fill('比选报告已报镇党委会审议');
    await Promise.all([cadre.waitForURL(`${server.url}/`), item.locator('button', { hasText: '更新' }).click()]);
    assert.equal(await cadre.locator('#my-actions tr', { hasText: task }).count(), 0, 'closed items leave 我的待办');
    assert.deepEqual(cadre.__errors, []);
  } finally {
    await cadre.close();
  }

  // Back on the meeting: the item is done, with its result; the chain shows it too.
  const check = await newPage(browser);
  try {
    const meetings = await getJson(server, `/api/v1/meetings?zone=${zone.id}`);
    const m = meetings.items.find((x) => x.title === title);
    await check.goto(`${server.url}/meetings/${m.id}`, { waitUntil: 'networkidle' });
    const text = await check.locator('.decision').first().innerText();
    assert.match(text, /已完成/);
    assert.match(text, /比选报告已报镇党委会审议/);
    await check.goto(`${server.url}/zones/${zone.id}/timeline`, { waitUntil: 'networkidle' });
    assert.match(await check.locator('#chain-meetings').innerText(), /结果：比选报告已报镇党委会审议/);
    await screenshot(check, 'timeline-desktop');
    assert.deepEqual(check.__errors, []);
  } finally {
    await check.close();
  }
});

test('the work hub, a project and the report read well on desktop and phone', async () => {
  for (const mobile of [false, true]) {
    const page = await newPage(browser, { mobile });
    try {
      let res = await page.goto(`${server.url}/work`, { waitUntil: 'networkidle' });
      assert.equal(res?.status(), 200);
      assert.ok(await page.locator('#zone-work-table tbody tr').count() > 0, 'one row per zone');
      await screenshot(page, `work-${mobile ? 'phone' : 'desktop'}`);
      const width = mobile ? PHONE_VIEWPORT.width : DESKTOP_VIEWPORT.width;
      const overflow = await horizontalOverflow(page, width);
      assert.ok(overflow.culprits.length === 0 && overflow.scrollWidth <= overflow.innerWidth, `nothing sticks out sideways: ${JSON.stringify(overflow)}`);
      const projects = await getJson(server, '/api/v1/projects');
      if (projects.total > 0) {
        const p = projects.items[0];
        res = await page.goto(`${server.url}/projects/${p.id}`, { waitUntil: 'networkidle' });
        assert.equal(res?.status(), 200);
        await screenshot(page, `project-${mobile ? 'phone' : 'desktop'}`);
        res = await page.goto(`${server.url}/zones/${p.zone.id}/report`, { waitUntil: 'networkidle' });
        assert.equal(res?.status(), 200);
        await screenshot(page, `report-${mobile ? 'phone' : 'desktop'}`);
        res = await page.goto(`${server.url}/zones/${p.zone.id}/plan`, { waitUntil: 'networkidle' });
        assert.equal(res?.status(), 200);
        await screenshot(page, `plan-${mobile ? 'phone' : 'desktop'}`);
      }
      assert.deepEqual(page.__errors, []);
    } finally {
      await page.close();
    }
  }
});
