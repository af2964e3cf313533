// 利益共享 forms in a browser: an administrator creates a 强村公司 with classes 40/25/35 through
// the 新建主体 form (a 95 % split is refused first, input kept), adds holders, submits
// subscriptions; a second administrator approves them; the first drafts the 2025 distribution,
// submits it for review, the second approves it, and the table shows 本期留存 + 分配合计 =
// 净收益 to the fen. The forms fit a phone.
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

/** A page signed in as `username`, on a phone when `mobile`. */
async function pageAs(username, { mobile = false } = {}) {
  const page = await newPage(browser, { mobile, signedIn: false });
  const cookie = await signIn(server.url, username);
  const [name, value] = cookie.split(/=(.*)/s);
  await page.context().addCookies([{ name, value, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
  return page;
}

/** Submits a form and waits for the page it leads to. */
async function submit(page, selector) {
  await Promise.all([page.waitForEvent('load'), page.click(selector)]);
}

const ENTITY = 'e2e 共富强村公司';

test('an entity set up through the forms distributes its 2025 income to the fen', async () => {
  const admin = await newPage(browser);
  let second;
  try {
    // The second administrator, who decides what the first submits.
    await admin.goto(`${server.url}/admin/users`, { waitUntil: 'networkidle' });
    const nu = admin.locator('form.new-user');
    await nu.locator('input[name=username]').fill('admin2');
    await nu.locator('input[name=display_name]').fill('分管负责人');
    await nu.locator('select[name=role]').selectOption('admin');
    await nu.locator('input[name=password]').fill(DEMO_PASSWORD);
    await Promise.all([admin.waitForEvent('load'), nu.locator('button[type=submit]').click()]);
    second = await pageAs('admin2');

    // 新建主体: three classes, first with a 95 % split.
    await admin.goto(`${server.url}/equity`, { waitUntil: 'networkidle' });
    await admin.click('#new-entity-open');
    await admin.fill('#entity-form input[name=name]', ENTITY);
    await admin.selectOption('#entity-form select[name=kind]', 'strong_village_company');
    const classes = [
      ['均等股', 'equal', '40'],
      ['人口股', 'population', '25'],
      ['出资股', 'capital', '30'],
    ];
    const rows = admin.locator('#entity-form .eq-class-row');
    for (const [i, [name, basis, pct]] of classes.entries()) {
      await rows.nth(i).locator('input[name=class_name]').fill(name);
      await rows.nth(i).locator('select[name=class_basis]').selectOption(basis);
      await rows.nth(i).locator('input[name=class_split]').fill(pct);
    }
    assert.match(await admin.locator('#entity-split-sum').innerText(), /比例合计 95%（须为 100%）/);
    await submit(admin, '#entity-submit');
    assert.match(await admin.locator('#entity-errors').innerText(), /合计应为 100%，现为 95\.00%/);
    assert.equal(await admin.inputValue('#entity-form .eq-class-row >> nth=2 >> input[name=class_name]'), '出资股', 'input kept');
    await admin.fill('#entity-form .eq-class-row >> nth=2 >> input[name=class_split]', '35');
    assert.match(await admin.locator('#entity-split-sum').innerText(), /^比例合计 100%$/);
    await submit(admin, '#entity-submit');
    const m = admin.url().match(/\/equity\/(\d+)$/);
    assert.ok(m, `redirected to the entity: ${admin.url()}`);
    const id = Number(m[1]);
    const entity = await getJson(server, `/api/v1/entities/${id}`);
    assert.deepEqual(entity.classes.map((c) => c.split_bp), [4000, 2500, 3500]);

    // 添加股东: a village collective (its village asked for) and an enterprise (no village).
    const demo = await getJson(server, '/api/v1/entities');
    const village = demo.items.flatMap((e) => e.holders).find((h) => h.village_code).village_code;
    const holders = [
      ['甲村股份经济合作社', 'village_collective', village],
      ['乙村股份经济合作社', 'village_collective', village],
      ['绍兴某某农业发展有限公司', 'enterprise', ''],
    ];
    for (const [name, kind, code] of holders) {
      await admin.click('#holder-open');
      await admin.fill('#holder-form input[name=name]', name);
      await admin.selectOption('#holder-form select[name=kind]', kind);
      const villageField = admin.locator('#holder-form select[name=village_code]');
      assert.equal(await villageField.isVisible(), kind === 'village_collective', `village shown for ${kind}`);
      if (code) await villageField.selectOption(code);
      await submit(admin, '#holder-submit');
    }
    const withHolders = await getJson(server, `/api/v1/entities/${id}`);
    assert.deepEqual(withHolders.holders.map((h) => h.name), holders.map((h) => h[0]));
    const [h1, h2, h3] = withHolders.holders.map((h) => String(h.id));

    // 提交变更申请: the kind select shows only its fields.
    await admin.click('#request-open');
    const visible = (name) => admin.locator(`#request-form [name=${name}]`).isVisible();
    await admin.selectOption('#request-form select[name=kind]', 'transfer');
    assert.ok((await visible('to_holder')) && !(await visible('asset')) && !(await visible('to_class')));
    await admin.selectOption('#request-form select[name=kind]', 'in_kind');
    assert.ok((await visible('asset')) && (await visible('valuer')) && !(await visible('to_holder')));
    await admin.selectOption('#request-form select[name=kind]', 'conversion');
    assert.ok((await visible('to_class')) && (await visible('to_units')) && !(await visible('amount')));
    const subscriptions = [
      [h1, '1', '1', '0'],
      [h1, '2', '1200', '0'],
      [h1, '3', '3000000', '3000000'],
      [h2, '1', '1', '0'],
      [h2, '2', '800', '0'],
      [h2, '3', '1000000', '1000000'],
      [h3, '3', '2000000', '2000000'],
    ];
    for (const [holder, cls, units, amount] of subscriptions) {
      if (!(await admin.locator('#request-form').isVisible())) await admin.click('#request-open');
      await admin.selectOption('#request-form select[name=kind]', 'subscription');
      assert.ok(!(await visible('to_holder')) && (await visible('amount')));
      await admin.fill('#request-form input[name=effective]', '2025-01-01');
      await admin.selectOption('#request-form select[name=holder]', holder);
      await admin.selectOption('#request-form select[name=class]', cls);
      await admin.fill('#request-form input[name=units]', units);
      await admin.fill('#request-form input[name=amount]', amount);
      await submit(admin, '#request-submit');
      assert.match(admin.url(), new RegExp(`/equity/${id}#requests$`));
    }
    assert.equal(await admin.locator('#equity-pending tbody tr').count(), subscriptions.length);

    // The other administrator approves them with the existing buttons.
    await second.goto(`${server.url}/equity/${id}`, { waitUntil: 'networkidle' });
    while ((await second.locator('.decide-approve').count()) > 0) {
      await submit(second, '.decide-approve >> nth=0');
    }
    const register = await getJson(server, `/api/v1/entities/${id}/register?as_of=2025-12-31`);
    assert.equal(register.lines.length, subscriptions.length);

    // 起草年度分配 for 2025: 1,234,567.89 元, 10 % 公积金, 5 % 公益金, 60 % distributed.
    await admin.goto(`${server.url}/equity/${id}`, { waitUntil: 'networkidle' });
    await admin.click('#draft-open');
    await admin.fill('#draft-form input[name=year]', '2025');
    await admin.fill('#draft-form input[name=net_income]', '1,234,567.89');
    await admin.fill('#draft-form input[name=reserve_percent]', '10');
    await admin.fill('#draft-form input[name=welfare_percent]', '5');
    await admin.fill('#draft-form input[name=distribute_percent]', '60');
    assert.ok(!(await admin.locator('#draft-form input[name=guarantee_rate_percent]').isVisible()), '保底 fields hidden until a mode is chosen');
    await admin.selectOption('#draft-form select[name=guarantee_kind]', 'percent_of_capital');
    assert.ok(await admin.locator('#draft-form input[name=guarantee_rate_percent]').isVisible());
    await admin.selectOption('#draft-form select[name=guarantee_kind]', '');
    await screenshot(admin, 'equity-draft-form');
    await submit(admin, '#draft-submit');
    const d = admin.url().match(/\/equity\/distributions\/(\d+)$/);
    assert.ok(d, `redirected to the distribution: ${admin.url()}`);
    const did = Number(d[1]);
    // 123,456,789 fen: 公积金 12,345,678; 公益金 6,172,839; residual 104,938,272; 60 % is
    // 62,962,963 paid, 60,493,826 retained.
    const dist = await getJson(server, `/api/v1/distributions/${did}`);
    assert.equal(dist.net_income_fen, 123456789);
    assert.equal(dist.paid_fen, 62962963);
    assert.equal(dist.retained_fen, 60493826);

    // 草案 → 审核 by the drafter, → 已批准 by the other administrator.
    await submit(admin, '.move-review');
    assert.equal(await admin.locator('#dist-status').innerText(), '审核');
    await second.goto(`${server.url}/equity/distributions/${did}`, { waitUntil: 'networkidle' });
    await submit(second, '.move-approved');
    assert.equal(await second.locator('#dist-status').innerText(), '已批准');
    assert.equal(
      await second.locator('#dist-check').innerText(),
      '本期留存 604,938.26 + 分配合计 629,629.63 = 净收益 1,234,567.89 元（相符，精确到分）',
    );
    assert.equal(await second.locator('#dist-total').innerText(), '629,629.63');
    await screenshot(second, 'equity-distribution-approved');
    // The refused 95 % form answered 422 on purpose; nothing else may complain.
    assert.deepEqual(admin.__errors.filter((e) => !/status of 422/.test(e)), []);
    assert.deepEqual(second.__errors, []);
  } finally {
    await admin.close();
    await second?.close();
  }
});

test('the forms fit a phone', async () => {
  const page = await pageAs('admin', { mobile: true });
  try {
    const entities = await getJson(server, '/api/v1/entities');
    await page.goto(`${server.url}/equity`, { waitUntil: 'networkidle' });
    await page.click('#new-entity-open');
    let o = await horizontalOverflow(page, PHONE_VIEWPORT.width);
    assert.ok(o.culprits.length === 0 && o.scrollWidth <= o.innerWidth, `list: nothing sticks out sideways: ${JSON.stringify(o)}`);
    await screenshot(page, 'equity-new-entity-phone');
    await page.goto(`${server.url}/equity/${entities.items[0].id}`, { waitUntil: 'networkidle' });
    for (const open of ['#holder-open', '#request-open', '#draft-open']) await page.click(open);
    o = await horizontalOverflow(page, PHONE_VIEWPORT.width);
    assert.ok(o.culprits.length === 0 && o.scrollWidth <= o.innerWidth, `entity: nothing sticks out sideways: ${JSON.stringify(o)}`);
    await screenshot(page, 'equity-entity-forms-phone');
    assert.deepEqual(page.__errors, []);
  } finally {
    await page.close();
  }
});
