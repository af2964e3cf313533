// 导入年度数据 on /import: a workbook with one good and two bad rows, uploaded with mode 导入,
// is refused as a whole (every bad row listed in Chinese, the good row not written); the
// corrected workbook imports and the API shows the new figures.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { getJson, launchBrowser, newPage, screenshot, startServer } from '../harness.mjs';

const HEADERS = ['村代码', '村名', '数据年度', '户籍人口', '户数', '经营性收入（元）', '人均可支配收入（元）', '面积（平方公里）'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let server;
let browser;
let village; // a real village: { code, name }
let other; // another one, for the bad 户数 row
let year; // the latest data year, the one the village row shows

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const list = await getJson(server, '/api/v1/villages?per_page=5');
  [village, other] = list.items.filter((v) => v.kind === 'village' && v.status === 'active');
  assert.ok(village && other, 'GET /api/v1/villages gave fewer than two active villages');
  year = list.year;
  assert.ok(Number.isInteger(year), `GET /api/v1/villages year is ${list.year}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** An .xlsx with sheet 年度数据, the template's header row, then `rows`. */
async function workbook(rows) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('年度数据');
  ws.addRow(HEADERS);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Upload `buffer` through #import-years-form with the given mode; returns the POST's status. */
async function uploadYears(page, buffer, fileName, mode) {
  const res = await page.goto(`${server.url}/import`, { waitUntil: 'networkidle' });
  assert.equal(res?.status(), 200, `GET /import answered ${res?.status()}`);
  const form = page.locator('#import-years-form');
  await form.locator('input[type=file]').setInputFiles({ name: fileName, mimeType: XLSX, buffer });
  await form.locator(`input[name=mode][value=${mode}]`).check();
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/import'),
    form.locator('button[type=submit]').click(),
  ]);
  await page.waitForLoadState('load');
  return answer.status();
}

/** The figures of the village that an import could change. */
async function figures(code) {
  const d = await getJson(server, `/api/v1/villages/${code}`);
  const v = d.village;
  return {
    row: [v.year, v.population, v.households, v.operating_income_fen, v.disposable_income_fen, v.area_km2],
    years: d.years,
  };
}

test('a workbook with bad rows is refused whole, with every problem listed in Chinese', async () => {
  const before = await figures(village.code);
  const otherBefore = await figures(other.code);
  const buffer = await workbook([
    // 第 2 行: fine on its own, must not be written because the file has errors.
    [village.code, village.name, year, 3210, 1100, 2345678.5, 45678, 4.5],
    // 第 3 行: a code outside the registry.
    ['330603999999', '不存在村', year, 1000, 300, 500000, 40000, 2],
    // 第 4 行: more households than people.
    [other.code, other.name, year, 100, 500, 500000, 40000, 2],
  ]);

  const page = await newPage(browser);
  try {
    const status = await uploadYears(page, buffer, '坏数据.xlsx', 'apply');
    assert.equal(status, 422, `POST /import of a bad file should answer 422, answered ${status}`);

    const report = page.locator('#import-report');
    assert.ok(await report.isVisible(), '#import-report should be shown');
    assert.match(await report.innerText(), /未导入任何数据/, '#import-report should say nothing was imported');

    const table = page.locator('#import-errors');
    assert.ok(await table.isVisible(), '#import-errors table should be shown');
    const rows = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const [where, column, value, reason] = [...tr.cells].map((c) => c.innerText.trim());
        return { where, column, value, reason };
      }),
    );
    const dump = JSON.stringify(rows, null, 1);

    const row3 = rows.filter((r) => r.where === '第 3 行');
    assert.equal(row3.length, 1, `#import-errors should list 第 3 行 once:\n${dump}`);
    assert.equal(row3[0].column, '村代码', `第 3 行 should blame 村代码:\n${dump}`);
    assert.equal(row3[0].value, '330603999999', `第 3 行 should show the bad code:\n${dump}`);
    assert.ok(row3[0].reason.includes('不在区划名录中'), `第 3 行 reason should say 不在区划名录中:\n${dump}`);

    const row4 = rows.filter((r) => r.where === '第 4 行');
    assert.equal(row4.length, 1, `#import-errors should list 第 4 行 once:\n${dump}`);
    assert.equal(row4[0].column, '户数', `第 4 行 should blame 户数:\n${dump}`);
    assert.ok(/户数.*户籍人口/.test(row4[0].reason), `第 4 行 reason should say 户数 exceeds 户籍人口:\n${dump}`);

    assert.ok(!rows.some((r) => r.where === '第 2 行'), `第 2 行 is fine and must not be listed:\n${dump}`);
    assert.equal(rows.length, 2, `exactly two problems expected:\n${dump}`);
    for (const r of rows) assert.match(r.reason, /\p{Script=Han}/u, `reason should be Chinese: ${r.reason}`);

    // All or nothing: the good row was not written either.
    const after = await figures(village.code);
    assert.deepEqual(after, before, `${village.code} figures changed although the import was refused`);
    assert.deepEqual(await figures(other.code), otherBefore, `${other.code} figures changed although the import was refused`);

    await screenshot(page, 'import-errors-desktop');
    const errorsSeen = page.__errors.filter((e) => !/status of 422/.test(e));
    assert.deepEqual(errorsSeen, [], 'browser reported errors');
  } finally {
    await page.close();
  }
});

test('a correct workbook imports and the API shows the new figures', async () => {
  const before = await figures(village.code);
  const row = { population: 3210, households: 1100, incomeYuan: 2345678.5, disposableYuan: 45678, area: 4.5 };
  assert.notEqual(before.row[1], row.population, 'pick figures that differ from the current ones');
  const buffer = await workbook([
    [village.code, village.name, year, row.population, row.households, row.incomeYuan, row.disposableYuan, row.area],
  ]);

  const page = await newPage(browser);
  try {
    const status = await uploadYears(page, buffer, '年度数据.xlsx', 'apply');
    assert.equal(status, 200, `POST /import of a good file should answer 200, answered ${status}`);
    const report = await page.locator('#import-report').innerText();
    assert.match(report, /导入成功/, `#import-report should say 导入成功:\n${report}`);
    assert.match(report, /共 1 条记录/, `#import-report should count 1 row:\n${report}`);
    assert.equal(await page.locator('#import-errors').count(), 0, 'no #import-errors on success');

    const d = await getJson(server, `/api/v1/villages/${village.code}`);
    assert.equal(d.village.year, year, 'village row year');
    assert.equal(d.village.population, row.population, 'imported 户籍人口');
    assert.equal(d.village.households, row.households, 'imported 户数');
    assert.equal(d.village.operating_income_fen, Math.round(row.incomeYuan * 100), 'imported 经营性收入 (fen)');
    assert.equal(d.village.disposable_income_fen, row.disposableYuan * 100, 'imported 人均可支配收入 (fen)');
    const y = d.years.find((r) => r.year === year);
    assert.ok(y, `GET /api/v1/villages/${village.code} has no ${year} row`);
    assert.equal(y.area_km2, row.area, 'imported 面积');

    // The village page shows it too (经营性收入 in 万元: 2,345,678.50 元 = 234.6 万元).
    await page.goto(`${server.url}/villages/${village.code}`, { waitUntil: 'networkidle' });
    const kpis = await page.locator('.kpis').innerText();
    assert.ok(kpis.includes('234.6'), `village page should show 234.6 万元:\n${kpis}`);

    await screenshot(page, 'import-ok-village-desktop');
    assert.deepEqual(page.__errors, [], 'browser reported errors');
  } finally {
    await page.close();
  }
});
