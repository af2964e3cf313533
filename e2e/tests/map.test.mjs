// 一张图 (map): every village and community of GET /api/v1/map/villages.geojson is drawn as
// one region, coloured by zone; a real mouse click on a village opens its card; switching the
// colouring to 按经营性收入 recolours the map and changes the legend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, launchBrowser, newPage, screenshot, startServer } from '../harness.mjs';

let server;
let browser;
let geo;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  geo = await getJson(server, '/api/v1/map/villages.geojson');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * The region shapes ECharts drew into #map (svg renderer): the filled <path>s. The map
 * series draws nothing else as a filled path (labels are <text>, the tooltip is HTML).
 * Returns the fill colour of each region.
 */
async function regionFills(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('#map svg path')]
      .map((p) => (p.getAttribute('fill') || '').toLowerCase())
      .filter((f) => f && f !== 'none' && f !== 'transparent'),
  );
}

function histogram(values) {
  const h = new Map();
  for (const v of values) h.set(v, (h.get(v) ?? 0) + 1);
  return h;
}

/** Group sizes, largest first: compares two partitions without caring about the labels. */
function groupSizes(values) {
  return [...histogram(values).values()].sort((a, b) => b - a);
}

async function openMap(page) {
  const res = await page.goto(`${server.url}/map`, { waitUntil: 'networkidle' });
  assert.equal(res?.status(), 200, `GET /map answered ${res?.status()}`);
  await page
    .waitForSelector('#map[data-drawn]', { timeout: 15_000 })
    .catch(() => {
      throw new Error('#map never got data-drawn: app.js did not finish drawing the map');
    });
  // ECharts paints on the next animation frame: wait until the regions are in the SVG (and so
  // in its hit-testing list) before anyone clicks.
  await page
    .waitForFunction(
      (n) => document.querySelectorAll('#map svg path[fill]:not([fill="none"])').length >= n,
      geo.features.length,
      { timeout: 15_000 },
    )
    .catch(() => {
      throw new Error(`#map has data-drawn but fewer than ${geo.features.length} region paths after 15 s`);
    });
}

// Shoelace area and ray-casting point-in-polygon on the outer ring (lon/lat as plane coords,
// fine at district scale).
function ringArea(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
  }
  return Math.abs(a / 2);
}
function inRing([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
function outerRing(f) {
  const g = f.geometry;
  if (g.type === 'Polygon') return g.coordinates[0];
  if (g.type === 'MultiPolygon') {
    return g.coordinates.map((p) => p[0]).sort((a, b) => ringArea(b) - ringArea(a))[0];
  }
  return null;
}

test('map draws one region per GeoJSON feature, coloured by zone', async () => {
  assert.ok(geo.features.length > 0, 'GeoJSON has no features');
  const page = await newPage(browser);
  try {
    await openMap(page);
    const drawn = await page.locator('#map').getAttribute('data-drawn');
    assert.equal(Number(drawn), geo.features.length, `#map data-drawn is ${drawn}, GeoJSON has ${geo.features.length} features`);

    const fills = await regionFills(page);
    assert.equal(
      fills.length,
      geo.features.length,
      `#map should draw exactly one filled <path> per feature (${geo.features.length}), found ${fills.length}`,
    );

    // 按片区: one colour per zone, one for villages outside any zone, one for communities. The
    // partition of the drawn colours must match the partition of the features.
    const key = (p) => (p.kind === 'community' ? 'community' : p.zone_id == null ? 'none' : `zone ${p.zone_id}`);
    const expected = groupSizes(geo.features.map((f) => key(f.properties)));
    assert.deepEqual(
      groupSizes(fills),
      expected,
      'region colours should group like the features do (communities / no zone / each zone)',
    );

    // Key villages carry a ★ label.
    const keys = geo.features.filter((f) => f.properties.role === 'key').map((f) => `★${f.properties.name}`);
    const labels = await page.locator('#map svg text').allTextContents();
    for (const k of keys) assert.ok(labels.includes(k), `#map should label key village ${k}; labels: ${labels.join(',')}`);

    await screenshot(page, 'map-desktop', { fullPage: false });
    assert.deepEqual(page.__errors, [], 'browser reported errors on /map');
  } finally {
    await page.close();
  }
});

test('clicking a village on the map shows its card; 按经营性收入 recolours and changes the legend', async () => {
  // A village that is not a key village (no ★ label over it), the largest one whose label
  // point lies inside its polygon, so a click there lands on it.
  const candidates = geo.features
    .filter((f) => f.properties.kind === 'village' && f.properties.role !== 'key')
    .map((f) => ({ f, ring: outerRing(f) }))
    .filter(({ f, ring }) => ring && inRing([f.properties.lon, f.properties.lat], ring))
    .sort((a, b) => ringArea(b.ring) - ringArea(a.ring));
  assert.ok(candidates.length > 0, 'no village whose lon/lat lies inside its own polygon');
  const target = candidates[0].f.properties;
  const detail = await getJson(server, `/api/v1/villages/${target.code}`);

  const page = await newPage(browser);
  try {
    await openMap(page);
    const pixel = await page.evaluate(([lon, lat]) => {
      const chart = window.echarts.getInstanceByDom(document.getElementById('map'));
      return chart.convertToPixel({ seriesIndex: 0 }, [lon, lat]);
    }, [target.lon, target.lat]);
    assert.ok(Array.isArray(pixel) && pixel.every(Number.isFinite), `convertToPixel gave ${JSON.stringify(pixel)}`);
    const box = await page.locator('#map').boundingBox();
    assert.ok(
      pixel[0] > 0 && pixel[1] > 0 && pixel[0] < box.width && pixel[1] < box.height,
      `${target.name} (${target.code}) is drawn at ${pixel} outside the ${box.width}x${box.height} map`,
    );

    // Hover first: the tooltip naming the village proves the point lies on it.
    const x = box.x + pixel[0];
    const y = box.y + pixel[1];
    await page.mouse.move(x, y);
    await page
      .waitForFunction((t) => document.getElementById('map').innerText.includes(t), `${target.town} · ${target.name}`, {
        timeout: 5_000,
      })
      .catch(async () => {
        const shown = await page.locator('#map').innerText();
        throw new Error(
          `hovering ${target.name} (${target.code}) at map pixel ${pixel.map(Math.round)} showed no tooltip ` +
            `「${target.town} · ${target.name}」; the map shows: ${JSON.stringify(shown.slice(0, 200))}`,
        );
      });
    await page.mouse.click(x, y);
    const name = page.locator('#village-card #card-name');
    await name.waitFor({ timeout: 10_000 }).catch(() => {
      throw new Error(`clicking ${target.name} (${target.code}) on the map did not fill #village-card`);
    });
    assert.equal((await name.innerText()).trim(), target.name, '#card-name should be the clicked village');
    const card = await page.locator('#village-card').innerText();
    assert.ok(card.includes(target.town), `#village-card should name the town ${target.town}:\n${card}`);
    assert.ok(card.includes(target.code), `#village-card should show the code ${target.code}:\n${card}`);
    assert.equal(detail.village.town, target.town, 'API and GeoJSON disagree on the town');
    const link = page.locator('#village-card a.btn');
    assert.equal(await link.getAttribute('href'), `/villages/${target.code}`, 'card should link to the village page');

    // Recolour by operating income.
    const legend = page.locator('.legend-note');
    const legendBefore = (await legend.innerText()).trim();
    const fillsBefore = await regionFills(page);
    await page.selectOption('#map-colour', { label: '按经营性收入' });
    await assert.doesNotReject(
      page.waitForFunction((before) => document.querySelector('.legend-note').innerText.trim() !== before, legendBefore, {
        timeout: 5_000,
      }),
      `legend still reads ${JSON.stringify(legendBefore)} after choosing 按经营性收入`,
    );
    const legendAfter = (await legend.innerText()).trim();
    for (const band of ['50万以下', '1000万以上']) {
      assert.ok(legendAfter.includes(band), `income legend should list ${band}, got ${JSON.stringify(legendAfter)}`);
    }
    const swatches = await page.locator('.legend-note .swatch').count();
    assert.equal(swatches, 7, `income legend should have 7 colour swatches, has ${swatches}`);

    await page.waitForFunction(
      (n) => document.querySelectorAll('#map svg path[fill]:not([fill="none"])').length === n,
      geo.features.length,
      { timeout: 5_000 },
    );
    const fillsAfter = await regionFills(page);
    assert.equal(fillsAfter.length, geo.features.length, 'recoloured map should still draw one region per feature');
    assert.notDeepEqual(
      [...new Set(fillsAfter)].sort(),
      [...new Set(fillsBefore)].sort(),
      'region colours did not change after choosing 按经营性收入',
    );
    // Villages are coloured by income band: more than the one 无数据 grey among villages.
    const communities = geo.features.filter((f) => f.properties.kind === 'community').length;
    assert.ok(
      new Set(fillsAfter).size >= 3,
      `expected several income-band colours, got ${[...new Set(fillsAfter)].join(',')}`,
    );
    assert.ok(groupSizes(fillsAfter)[0] >= communities, 'communities should share one colour in income mode');

    await screenshot(page, 'map-income-desktop', { fullPage: false });
    assert.deepEqual(page.__errors, [], 'browser reported errors on /map');
  } finally {
    await page.close();
  }
});
