// 总览 (dashboard): the coverage KPI agrees with the API, the demo banner shows, the three
// ECharts charts draw as SVG with the data of /api/v1/dashboard, and the main pages do not
// overflow sideways on a phone.
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

const CHARTS = ['chart-towns', 'chart-bands', 'chart-trend'];

/** Text of every <text> in the chart's SVG, and how many shapes it drew. */
async function chartContent(page, id) {
  return page.evaluate((id) => {
    const svg = document.querySelector(`#${id} svg`);
    if (!svg) return null;
    return {
      texts: [...svg.querySelectorAll('text')].map((t) => t.textContent.trim()),
      paths: svg.querySelectorAll('path').length,
      width: svg.getBoundingClientRect().width,
      height: svg.getBoundingClientRect().height,
    };
  }, id);
}

test('dashboard (desktop): coverage KPI matches the API, demo banner, three charts drawn', async () => {
  const coverage = await getJson(server, '/api/v1/coverage');
  const dash = await getJson(server, '/api/v1/dashboard');
  assert.ok(coverage.total > 0, `GET /api/v1/coverage total is ${coverage.total}`);

  const page = await newPage(browser);
  try {
    const res = await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
    assert.equal(res?.status(), 200, `GET / answered ${res?.status()}`);

    const kpi = (await page.locator('#kpi-coverage').innerText()).replace(/\s+/g, ' ').trim();
    assert.match(kpi, /^\d+ \/ \d+$/, `#kpi-coverage should read like "35 / 214", got ${JSON.stringify(kpi)}`);
    assert.equal(
      kpi,
      `${coverage.covered} / ${coverage.total}`,
      'the #kpi-coverage numbers should be covered / total of GET /api/v1/coverage',
    );

    const banner = page.locator('.demo-banner');
    assert.equal(await banner.count(), 1, 'the demo server should show one .demo-banner');
    assert.ok(await banner.isVisible(), '.demo-banner should be visible');
    assert.match(await banner.innerText(), /演示数据/, '.demo-banner should say 演示数据');

    for (const id of CHARTS) {
      await page
        .locator(`#${id} svg`)
        .first()
        .waitFor({ state: 'attached', timeout: 10_000 })
        .catch(() => {
          throw new Error(`#${id} has no <svg> after 10 s: the ECharts chart was not drawn`);
        });
      const c = await chartContent(page, id);
      assert.ok(c.width > 100 && c.height > 100, `#${id} svg is ${c.width}x${c.height}, expected a visible chart`);
      assert.ok(c.paths > 3, `#${id} svg has ${c.paths} <path>s, expected bars or a line`);
    }

    // The charts show the dashboard's data, not just axes.
    const towns = await chartContent(page, 'chart-towns');
    for (const t of dash.by_town) {
      assert.ok(towns.texts.includes(t.name), `#chart-towns should label town ${t.name}; labels: ${towns.texts.join(',')}`);
    }
    assert.ok(towns.texts.includes('已覆盖') && towns.texts.includes('未覆盖'), '#chart-towns legend should have 已覆盖 and 未覆盖');
    const bands = await chartContent(page, 'chart-bands');
    for (const [label] of dash.income_bands) {
      assert.ok(bands.texts.includes(label), `#chart-bands should label income band ${label}; labels: ${bands.texts.join(',')}`);
    }
    const trend = await chartContent(page, 'chart-trend');
    for (const [year] of dash.income_by_year) {
      assert.ok(trend.texts.includes(`${year}年`), `#chart-trend should label ${year}年; labels: ${trend.texts.join(',')}`);
    }

    await screenshot(page, 'dashboard-desktop');
    assert.deepEqual(page.__errors, [], 'browser reported errors on /');
  } finally {
    await page.close();
  }
});

// Pages the issue names; each must fit a 390 px wide phone without sideways scrolling of the
// page itself (wide tables may scroll inside their own .table-wrap).
const PHONE_PAGES = ['/', '/villages', '/zones', '/map', '/zones/new'];

async function openForOverflow(page, path) {
  const res = await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
  assert.equal(res?.status(), 200, `GET ${path} answered ${res?.status()}`);
  if (path === '/map') {
    await page.waitForSelector('#map[data-drawn]', { timeout: 15_000 });
  }
  return horizontalOverflow(page, PHONE_VIEWPORT.width);
}

function overflowProblem(path, o) {
  const w = PHONE_VIEWPORT.width;
  if (o.scrollWidth <= w + 1 && o.innerWidth <= w + 1) return null;
  return (
    `${path}: page is ${o.scrollWidth}px wide (window.innerWidth ${o.innerWidth}) on a ${w}px phone; ` +
    `sticking out: ${o.culprits.join(', ') || '(no single element found)'}`
  );
}

test('phone: no horizontal page overflow on /, /villages, /zones, /map, /zones/new', async () => {
  const page = await newPage(browser, { mobile: true });
  try {
    const problems = [];
    for (const path of PHONE_PAGES) {
      const p = overflowProblem(path, await openForOverflow(page, path));
      if (p) problems.push(p);
    }
    assert.deepEqual(problems, [], 'pages overflow the phone viewport sideways');

    // The dashboard's KPI and charts also render on the phone.
    await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
    for (const id of CHARTS) {
      assert.ok(await chartContent(page, id), `#${id} has no <svg> on the phone`);
    }
    assert.match(await page.locator('#kpi-coverage').innerText(), /^\s*\d+ \/ \d+\s*$/);
    assert.deepEqual(page.__errors, [], 'browser reported errors on the phone');
  } finally {
    await page.close();
  }
});

test(
  'phone: no horizontal page overflow on the other pages',
  async () => {
    const villages = await getJson(server, '/api/v1/villages?per_page=1');
    const paths = ['/coverage', '/targets', '/import', '/zones/1', `/villages/${villages.items[0].code}`];
    const page = await newPage(browser, { mobile: true });
    try {
      const problems = [];
      for (const path of paths) {
        const p = overflowProblem(path, await openForOverflow(page, path));
        if (p) problems.push(p);
      }
      assert.deepEqual(problems, [], 'pages overflow the phone viewport sideways');
    } finally {
      await page.close();
    }
  },
);
