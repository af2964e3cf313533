// 利益共享 outputs in a browser: from a distribution's table the 对账单 link opens the holder's
// statement, whose total is the payout the API answers; the statement fits a phone and prints
// on A4 without the page chrome; the 发放清单 and PDF links answer files.
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

const yuan = (fen) =>
  (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

async function firstDistribution() {
  const list = await getJson(server, '/api/v1/distributions');
  const d = list.items.find((x) => x.payouts.length > 0);
  assert.ok(d, 'the demo has a distribution with payouts');
  return getJson(server, `/api/v1/distributions/${d.id}`);
}

test('the 对账单 link shows the holder statement with the stored payout', async () => {
  const d = await firstDistribution();
  const p = d.payouts[0];
  const page = await newPage(browser);
  try {
    await page.goto(`${server.url}/equity/distributions/${d.id}`, { waitUntil: 'networkidle' });
    await Promise.all([
      page.waitForLoadState('networkidle'),
      page.click(`a.stmt-link[href="/equity/distributions/${d.id}/holders/${p.holder}"]`),
    ]);
    assert.equal(await page.locator('#stmt-total').innerText(), yuan(p.amount_fen));
    assert.match(await page.locator('#stmt-holder').innerText(), new RegExp(p.holder_name));
    // Printed: no navigation or buttons.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.topbar').isVisible(), false);
    assert.equal(await page.locator('.print-button').isVisible(), false);
    await page.emulateMedia({ media: 'screen' });
    // The file links answer files.
    for (const sel of ['#stmt-certificate']) {
      const href = await page.locator(sel).getAttribute('href');
      const res = await fetch(`${server.url}${href}`, { headers: { cookie: server.cookie } });
      assert.equal(res.status, 200, href);
      assert.equal(res.headers.get('content-type'), 'application/pdf');
    }
    await screenshot(page, 'equity-statement');
    assert.deepEqual(page.__errors, []);
  } finally {
    await page.close();
  }
  const res = await fetch(`${server.url}/api/v1/distributions/${d.id}/payouts.xlsx`, { headers: { cookie: server.cookie } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition'), /filename\*=UTF-8''/);
});

test('the statement fits a phone', async () => {
  const d = await firstDistribution();
  const page = await newPage(browser, { mobile: true });
  try {
    await page.goto(`${server.url}/equity/distributions/${d.id}/holders/${d.payouts[0].holder}`, { waitUntil: 'networkidle' });
    const o = await horizontalOverflow(page, PHONE_VIEWPORT.width);
    assert.ok(o.culprits.length === 0 && o.scrollWidth <= o.innerWidth, `nothing sticks out sideways: ${JSON.stringify(o)}`);
    await screenshot(page, 'equity-statement-phone');
    assert.deepEqual(page.__errors, []);
  } finally {
    await page.close();
  }
});
