// 新建片区 through the form at /zones/new: a key village and two linked villages of one town
// make a zone of three; coverage goes up by three; held villages cannot be picked; a form
// without a key village is refused with 「请选择重点村」 (422) and creates nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, launchBrowser, newPage, screenshot, startServer } from '../harness.mjs';

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

/** Every village in the picker: code, name, town code, whether its box is disabled. */
async function picks(page) {
  return page.$$eval('#picker label.pick', (labels) =>
    labels.map((l) => {
      const box = l.querySelector('input[type=checkbox]');
      const bare = l.cloneNode(true); // the name without the town line and the 薄弱 tag
      bare.querySelectorAll('small, .tag').forEach((e) => e.remove());
      return {
        code: box.value,
        name: bare.textContent.trim(),
        town: l.dataset.town,
        disabled: box.disabled,
        hidden: l.classList.contains('hidden') || l.offsetParent === null,
      };
    }),
  );
}

async function openForm(page) {
  const res = await page.goto(`${server.url}/zones/new`, { waitUntil: 'networkidle' });
  assert.equal(res?.status(), 200, `GET /zones/new answered ${res?.status()}`);
}

/** Submit #zone-form and return the answer to its POST (status) once the page has loaded. */
async function submitZoneForm(page) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/zones'),
    page.click('#zone-submit'),
  ]);
  await page.waitForLoadState('load');
  return res;
}

test('create a zone of three villages through /zones/new', async () => {
  const coverageBefore = await getJson(server, '/api/v1/coverage');
  const zonesBefore = await getJson(server, '/api/v1/zones');
  const held = new Set(zonesBefore.items.flatMap((z) => z.villages.map((v) => (typeof v === 'string' ? v : v.code))));
  assert.ok(held.size > 0, 'the demo should have villages already in zones');

  const page = await newPage(browser);
  try {
    await openForm(page);
    const all = await picks(page);
    assert.equal(all.length, coverageBefore.total, `#picker should list every village (${coverageBefore.total}), lists ${all.length}`);

    // Villages already in a zone are greyed out and are not offered as key village.
    const keyOptions = new Set(await page.$$eval('#key-village option', (os) => os.map((o) => o.value).filter(Boolean)));
    for (const p of all) {
      assert.equal(p.disabled, held.has(p.code), `${p.name} (${p.code}) checkbox disabled=${p.disabled}, but held=${held.has(p.code)}`);
      assert.equal(keyOptions.has(p.code), !held.has(p.code), `#key-village option for ${p.name} (${p.code})`);
    }

    // A town with at least three free villages.
    const free = all.filter((p) => !p.disabled);
    const byTown = new Map();
    for (const p of free) byTown.set(p.town, [...(byTown.get(p.town) ?? []), p]);
    const [town, villages] = [...byTown].find(([, vs]) => vs.length >= 3) ?? [];
    assert.ok(town, 'no town has three villages outside every zone');
    const [key, a, b] = villages;

    await page.selectOption('#pick-town', town);
    const visible = (await picks(page)).filter((p) => !p.hidden);
    assert.ok(visible.length > 0, `#pick-town ${town} left no village visible`);
    assert.deepEqual(
      [...new Set(visible.map((p) => p.town))],
      [town],
      `#pick-town ${town} should show only that town's villages`,
    );

    const name = `测试联合体${Date.now() % 100000}`;
    await page.fill('#zone-form input[name=name]', name);
    await page.fill('#zone-form input[name=theme]', '端到端测试');
    await page.selectOption('#key-village', key.code);
    assert.ok(
      await page.isChecked(`#picker input[value="${key.code}"]`),
      'choosing a key village should tick its box in #picker (app.js)',
    );
    await page.check(`#picker input[value="${a.code}"]`);
    await page.check(`#picker input[value="${b.code}"]`);

    const res = await submitZoneForm(page);
    if (![302, 303].includes(res.status())) {
      const shown = await page.locator('#form-errors').innerText({ timeout: 1_000 }).catch(() => '(no #form-errors)');
      assert.fail(`POST /zones should redirect to the new zone, answered ${res.status()}: ${shown}`);
    }
    const url = new URL(page.url());
    assert.match(url.pathname, /^\/zones\/\d+$/, `after saving, the browser is at ${page.url()}, expected /zones/{id}`);
    const id = Number(url.pathname.split('/')[2]);

    assert.ok((await page.locator('h1').innerText()).includes(name), `h1 should show the zone name ${name}`);
    const rows = page.locator('#members-table tbody tr');
    assert.equal(await rows.count(), 3, '#members-table should list 3 villages');
    const table = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
    assert.deepEqual(
      table.map((r) => r[0]).sort(),
      [key.name, a.name, b.name].sort(),
      '#members-table should list the key village and the two ticked villages',
    );
    const keyRows = table.filter((r) => r[1] === '重点村');
    assert.equal(keyRows.length, 1, `exactly one member should be 重点村, roles: ${table.map((r) => r[1]).join(',')}`);
    assert.equal(keyRows[0][0], key.name, 'the 重点村 should be the chosen key village');

    // The API agrees.
    const zone = await getJson(server, `/api/v1/zones/${id}`);
    assert.equal(zone.name, name, 'GET /api/v1/zones/{id} name');
    const coverageAfter = await getJson(server, '/api/v1/coverage');
    assert.equal(
      coverageAfter.covered,
      coverageBefore.covered + 3,
      `coverage covered should go from ${coverageBefore.covered} up by 3`,
    );
    const uncovered = new Set(coverageAfter.uncovered.map((u) => u.code));
    for (const v of [key, a, b]) assert.ok(!uncovered.has(v.code), `${v.name} still listed as uncovered`);

    await screenshot(page, 'zone-created-desktop');
    assert.deepEqual(page.__errors, [], 'browser reported errors');

    // The three villages are now held: a fresh form greys them out.
    await openForm(page);
    for (const v of [key, a, b]) {
      assert.ok(await page.isDisabled(`#picker input[value="${v.code}"]`), `${v.name} should now be disabled in #picker`);
      assert.equal(await page.locator(`#key-village option[value="${v.code}"]`).count(), 0, `${v.name} should no longer be a key-village option`);
    }
  } finally {
    await page.close();
  }
});

test('a zone without a key village is refused with 请选择重点村 (422) and nothing is created', async () => {
  const zonesBefore = await getJson(server, '/api/v1/zones');
  const coverageBefore = await getJson(server, '/api/v1/coverage');

  const page = await newPage(browser);
  try {
    await openForm(page);
    const free = (await picks(page)).filter((p) => !p.disabled);
    assert.ok(free.length >= 2, 'need two free villages');
    await page.fill('#zone-form input[name=name]', '缺重点村的片区');
    await page.check(`#picker input[value="${free[0].code}"]`);
    await page.check(`#picker input[value="${free[1].code}"]`);
    assert.equal(await page.inputValue('#key-village'), '', '#key-village should still be empty');

    const res = await submitZoneForm(page);
    assert.equal(res.status(), 422, `POST /zones without a key village should answer 422, answered ${res.status()}`);
    const errors = page.locator('#form-errors');
    assert.ok(await errors.isVisible(), '#form-errors should be shown');
    const text = await errors.innerText();
    assert.ok(text.includes('请选择重点村'), `#form-errors should say 请选择重点村, says: ${text}`);

    // The form keeps what was typed and ticked.
    assert.equal(await page.inputValue('#zone-form input[name=name]'), '缺重点村的片区', 'name should be kept');
    assert.ok(await page.isChecked(`#picker input[value="${free[0].code}"]`), 'ticked villages should stay ticked');

    const zonesAfter = await getJson(server, '/api/v1/zones');
    assert.equal(zonesAfter.total, zonesBefore.total, 'the refused form must not create a zone');
    const coverageAfter = await getJson(server, '/api/v1/coverage');
    assert.equal(coverageAfter.covered, coverageBefore.covered, 'coverage must not change');

    await screenshot(page, 'zone-form-errors-desktop');
    // A 422 document load is logged by Chromium as a failed resource; anything else is an error.
    const errorsSeen = page.__errors.filter((e) => !/status of 422/.test(e));
    assert.deepEqual(errorsSeen, [], 'browser reported errors');
  } finally {
    await page.close();
  }
});
