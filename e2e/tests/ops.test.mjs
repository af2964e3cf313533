// 运营与人才 in a browser: a team's KPIs for a year changed on the team page show in that year's
// indicator figures and the hub's table (运营收入 of the zone, in 万元); a pending support approved by the
// administrator on the entrepreneur's page counts in its zone's 创业扶持资金 at once; and the
// hub fits a phone (the wide table scrolls inside its box).
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

test('KPIs changed on a team page show in the hub for their year', async () => {
  const teams = await getJson(server, '/api/v1/teams');
  const team = teams.items.find((t) => t.zones.length > 0);
  assert.ok(team, 'the demo has a team serving a zone');
  const kpis = await getJson(server, `/api/v1/teams/${team.id}/kpis`);
  const kpi = kpis.items.find((k) => k.year === 2025);
  assert.ok(kpi, 'the demo team has 2025 KPIs');
  const zone = kpi.zone.id;
  const revenue = async () => {
    const f = await getJson(server, `/api/v1/indicators?zone=${zone}&year=2025`);
    return f.indicators.find((x) => x.key === 'team_revenue').value;
  };
  const before = await revenue();
  const page = await newPage(browser);
  try {
    // The 修改 link fills the form with the year's figures and their version.
    await page.goto(`${server.url}/teams/${team.id}?kpi_zone=${zone}&kpi_year=2025`, { waitUntil: 'networkidle' });
    await page.fill('#kpi-form input[name=revenue]', '1,234,567.89');
    await page.fill('#kpi-form input[name=visitors]', '很多');
    await Promise.all([page.waitForLoadState('networkidle'), page.click('#kpi-submit')]);
    assert.match(await page.locator('#kpi-errors').innerText(), /接待游客人次/);
    assert.equal(await page.inputValue('#kpi-form input[name=revenue]'), '1,234,567.89', 'input kept');
    await page.fill('#kpi-form input[name=visitors]', '5000');
    await Promise.all([page.waitForLoadState('networkidle'), page.click('#kpi-submit')]);
    const after = await revenue();
    assert.equal(after, before - kpi.revenue_fen + 123456789);

    await page.goto(`${server.url}/ops?year=2025`, { waitUntil: 'networkidle' });
    const header = await page.locator('#indicator-table thead th').allInnerTexts();
    const cells = await page.locator(`#indicator-table tr[data-zone="${zone}"] td`).allInnerTexts();
    const col = (label) => header.findIndex((h) => h.startsWith(label));
    // 万元 with one decimal, half away from zero.
    const wan = (Math.round(after / 100000) / 10).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    assert.equal(cells[col('运营收入')], wan);
    await screenshot(page, 'ops-hub-2025');
    // The refused form answered 422 on purpose; nothing else may complain.
    assert.deepEqual(page.__errors.filter((e) => !/status of 422/.test(e)), []);
  } finally {
    await page.close();
  }
});

test('an approved support counts in its zone figures', async () => {
  const people = await getJson(server, '/api/v1/talent/entrepreneurs');
  let person;
  let support;
  for (const p of people.items) {
    const detail = await getJson(server, `/api/v1/talent/entrepreneurs/${p.id}`);
    support = detail.supports.find((s) => s.status === 'applied' && s.grant);
    if (support) {
      person = detail;
      break;
    }
  }
  assert.ok(support, 'the demo has a pending grant');
  const zone = person.zone.id ?? person.zone;
  const figure = async () => {
    const f = await getJson(server, `/api/v1/indicators?zone=${zone}`);
    return f.indicators.find((x) => x.key === 'support_granted').value;
  };
  const before = await figure();
  const page = await newPage(browser);
  try {
    await page.goto(`${server.url}/talent/entrepreneurs/${person.id}`, { waitUntil: 'networkidle' });
    const form = page.locator(`#decide-${support.id}`);
    await form.locator('input[name=reason]').fill('材料齐全，同意');
    await Promise.all([page.waitForLoadState('networkidle'), form.locator('button[value=approve]').click()]);
    assert.match(await page.locator(`#supports-list li[data-id="${support.id}"]`).innerText(), /已批准/);
    assert.equal(await figure(), before + support.amount_fen);
    assert.deepEqual(page.__errors, []);
  } finally {
    await page.close();
  }
});

test('the hub fits a phone', async () => {
  const page = await newPage(browser, { mobile: true });
  try {
    await page.goto(`${server.url}/ops`, { waitUntil: 'networkidle' });
    const o = await horizontalOverflow(page, PHONE_VIEWPORT.width);
    assert.ok(o.culprits.length === 0 && o.scrollWidth <= o.innerWidth, `nothing sticks out sideways: ${JSON.stringify(o)}`);
    await screenshot(page, 'ops-hub-phone');
    assert.deepEqual(page.__errors, []);
  } finally {
    await page.close();
  }
});
