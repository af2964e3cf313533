// 评分奖补 in a browser: the administrator reopens an approved 2025 scorecard with a reason,
// enters a manual value and sees the total move; cannot review what they entered (the
// separation-of-duties message); a second administrator reviews, a third approves; the card
// then says 已审批 and is frozen. The hub, a scorecard and the award list fit a phone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_PASSWORD,
  getJson,
  horizontalOverflow,
  launchBrowser,
  newPage,
  PHONE_VIEWPORT,
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

/** A page signed in as `username`. */
async function pageAs(username) {
  const page = await newPage(browser, { signedIn: false });
  const cookie = await signIn(server.url, username);
  const [name, value] = cookie.split(/=(.*)/s);
  await page.context().addCookies([{ name, value, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
  return page;
}

/** Submits a form and waits for the page it leads to. */
async function submit(page, selector) {
  await Promise.all([page.waitForEvent('load'), page.click(selector)]);
}

async function addAdmin(page, username, display) {
  await page.goto(`${server.url}/admin/users`, { waitUntil: 'networkidle' });
  const nu = page.locator('form.new-user');
  await nu.locator('input[name=username]').fill(username);
  await nu.locator('input[name=display_name]').fill(display);
  await nu.locator('select[name=role]').selectOption('admin');
  await nu.locator('input[name=password]').fill(DEMO_PASSWORD);
  await Promise.all([page.waitForEvent('load'), nu.locator('button[type=submit]').click()]);
}

/** A manual STEP / LIN rule whose points move the total: (key, value to type). Only an
 * indicator with a single rule counts: in a best-of indicator (4.2: items or m²) raising
 * one rule may change nothing. */
function movableRule(card) {
  const single = card.dimensions
    .flatMap((d) => d.indicators)
    .filter((i) => i.rules.length === 1)
    .map((i) => i.rules[0])
    .filter((r) => r.source.kind === 'manual' && ['STEP', 'LIN'].includes(r.method));
  const low = single.find((r) => r.points.hundredths < r.max.hundredths);
  if (low) return [low.key, '1000000'];
  const high = single.find((r) => r.points.hundredths > 0);
  return [high.key, '0'];
}

test('a reopened scorecard is entered, reviewed and approved by three people, then frozen', async () => {
  const admin = await newPage(browser);
  let reviewer;
  let chief;
  try {
    await addAdmin(admin, 'reviewer2', '评分复核人');
    await addAdmin(admin, 'chief2', '分管领导');
    reviewer = await pageAs('reviewer2');
    chief = await pageAs('chief2');

    const list = await getJson(server, '/api/v1/scores?year=2025&kind=zone');
    const zone = list.items[0].zone.id;
    const url = `${server.url}/scoring/zone/2025/${zone}`;
    await admin.goto(url, { waitUntil: 'networkidle' });
    assert.match(await admin.locator('#card-status').innerText(), /已审批/);
    assert.match(await admin.locator('#frozen-note').innerText(), /已审批，数据已冻结于/);
    assert.equal(await admin.locator('svg.radar').count(), 1);

    // 重新打开 needs a reason.
    await admin.fill('form:has(.move-entering) input[name=reason]', 'e2e：更正填报数值');
    await submit(admin, '.move-entering');
    assert.match(await admin.locator('#card-status').innerText(), /经办/);

    const card = await getJson(server, `/api/v1/scores/zone/2025/${zone}`);
    const [key, value] = movableRule(card);
    const before = await admin.locator('#card-total').innerText();
    const form = admin.locator(`[id="entry-${key}"]`);
    await form.locator('input[name=value]').fill(value);
    await form.locator('input[name=evidence]').fill('e2e 佐证：年度台账');
    await Promise.all([admin.waitForEvent('load'), form.locator('button[type=submit]').click()]);
    const afterTotal = await admin.locator('#card-total').innerText();
    assert.notEqual(afterTotal, before, 'the total moved');
    const fresh = await getJson(server, `/api/v1/scores/zone/2025/${zone}`);
    assert.equal(afterTotal, fresh.total_display);

    // The one who entered cannot review.
    await submit(admin, '.move-reviewed');
    assert.match(await admin.locator('#scoring-messages').innerText(), /您填报过本评分的数值，不能复核/);

    await reviewer.goto(url, { waitUntil: 'networkidle' });
    await submit(reviewer, '.move-reviewed');
    assert.match(await reviewer.locator('#card-status').innerText(), /已复核/);

    await chief.goto(url, { waitUntil: 'networkidle' });
    await submit(chief, '.move-approved');
    assert.match(await chief.locator('#card-status').innerText(), /已审批/);
    assert.match(await chief.locator('#frozen-note').innerText(), /已审批，数据已冻结于/);
    assert.equal(await chief.locator('form.sc-entry').count(), 0, 'frozen: no entry forms');
    assert.equal(await chief.locator('#card-total').innerText(), afterTotal);
    await screenshot(chief, 'scoring-card');
    // The refused 复核 answered 422 on purpose; nothing else may have failed.
    const unexpected = (p) => p.__errors.filter((e) => !/status of 422 .*\/status:/.test(e));
    for (const p of [admin, reviewer, chief]) assert.deepEqual(unexpected(p), []);
  } finally {
    await admin.close();
    await reviewer?.close();
    await chief?.close();
  }
});

test('the hub, a scorecard and the award list fit a phone', async () => {
  const page = await newPage(browser, { mobile: true });
  try {
    const list = await getJson(server, '/api/v1/scores?year=2025&kind=zone');
    for (const [path, name] of [
      ['/scoring?year=2025&kind=zone', 'scoring-hub-phone'],
      [`/scoring/zone/2025/${list.items[1].zone.id}`, 'scoring-card-phone'],
      ['/scoring/awards?year=2025', 'scoring-awards-phone'],
    ]) {
      await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
      const o = await horizontalOverflow(page, PHONE_VIEWPORT.width);
      assert.ok(o.culprits.length === 0 && o.scrollWidth <= o.innerWidth, `${path}: nothing sticks out sideways: ${JSON.stringify(o)}`);
      await screenshot(page, name);
    }
    assert.deepEqual(page.__errors, []);
  } finally {
    await page.close();
  }
});
